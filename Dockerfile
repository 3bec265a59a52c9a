# zsic in a container, for the Kubernetes Job in deploy/kubernetes and any
# other engine: the zsic binary and the ONNX Runtime library that
# `make setup` installs, run as a non-root user, with the Hugging Face cache
# and the outputs on a volume at /data.
#
#   docker build -t zsic .
#   docker run --rm -v zsic-data:/data zsic eval --model-id openai/clip-vit-base-patch32 \
#       --dataset uoft-cs/cifar100 --output /data/out/report.json

# Build stage: the program `make setup` runs (cmd/zsic-setup) fetches and
# checks the ONNX Runtime library of the target platform (npm pack of
# onnxruntime-node, pinned SHA-256) and prints its path; then the binary is
# built (cgo: onnxruntime_go loads the library with dlopen).
FROM golang:1.26-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN apt-get update && apt-get install -y --no-install-recommends npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN lib=$(go run ./cmd/zsic-setup -platform "$TARGETOS/$TARGETARCH") && install -D -m 0644 "$lib" /out/lib/libonnxruntime.so.1
RUN CGO_ENABLED=1 go build -trimpath -o /out/zsic ./cmd/zsic

# Runtime stage: glibc to match the build stage, CA certificates for the Hub,
# libturbojpeg for Pillow-exact JPEG decoding (zsic opens it at run time).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libturbojpeg0 && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin zsic \
    && mkdir -p /data && chown zsic:zsic /data
COPY --from=build /out/lib/libonnxruntime.so.1 /opt/zsic/lib/libonnxruntime.so.1
COPY --from=build /out/zsic /usr/local/bin/zsic
ENV ONNXRUNTIME_LIB=/opt/zsic/lib/libonnxruntime.so.1 \
    HF_HOME=/data/huggingface
VOLUME /data
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["zsic"]
CMD ["--help"]
