#!/usr/bin/env bash
# make cross: zsic on the platforms its users run, checked from this Linux
# x86-64 machine (CI runs it after `make test`):
#   windows/amd64  cgo build with mingw-w64; zsic.exe evaluates tiny-clip on
#                  the 100 pinned samples under Wine with the Windows
#                  onnxruntime.dll, and its predictions must equal the native
#                  run's; --device directml must fail at once naming the
#                  missing DirectX 12 device; the cache lock test runs too;
#   linux/arm64    cgo build with gcc-aarch64-linux-gnu; the same 100-sample
#                  check under qemu-aarch64-static;
#   darwin/arm64, windows/arm64
#                  no cgo cross compiler here: `go vet` with CGO_ENABLED=0 of
#                  every package that does not need ONNX Runtime.
# Installs its Debian packages itself (`zsic-setup -cross`).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
data_manifest=fixtures/samples/cifar100-test-100.json
model=fixtures/models/tiny-clip

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
say() { printf 'cross [%3ds]: %s\n' $((SECONDS - t0)) "$*"; }
die() { printf 'cross: FAIL: %s\n' "$*" >&2; exit 1; }

$GO run ./cmd/zsic-setup -cross
parquet=$($GO run ./cmd/zsic-setup -find cifar100/test.parquet)
winlib=$($GO run ./cmd/zsic-setup -platform windows/amd64)
# ONNX Runtime 1.30.0's arm64 library crashes (SIGSEGV in its static
# initialisation, inside dlopen) under Debian 12's qemu-aarch64 7.2, whatever
# -cpu; 1.24.3's runs. So the qemu check loads 1.24.3 on both sides.
qemu_ort=1.24.3
armlib=$($GO run ./cmd/zsic-setup -ort $qemu_ort -platform linux/arm64)
amdlib=$($GO run ./cmd/zsic-setup -ort $qemu_ort -platform linux/amd64)

# eval BINARY... OUT: the 100-sample evaluation, predictions to OUT.
eval_args=(eval -m "$model" --manifest "$data_manifest" --quiet)

say "linux/amd64: reference run"
$GO build -o "$work/zsic" ./cmd/zsic
"$work/zsic" "${eval_args[@]}" --dataset "$parquet" --predictions "$work/linux.jsonl"

say "windows/amd64: vet and build (cgo, mingw-w64)"
export_win=(env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc)
"${export_win[@]}" $GO vet ./...
"${export_win[@]}" $GO build -o "$work/zsic.exe" ./cmd/zsic
"${export_win[@]}" $GO test -c -o "$work/hub.test.exe" ./zsic/hub

say "windows/amd64: Wine prefix with the ProcessPrng shim"
export WINEPREFIX=$work/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineboot -i >/dev/null 2>&1 || true
[ -d "$WINEPREFIX/drive_c/windows/system32" ] || die "wineboot made no prefix in $WINEPREFIX"
# Go 1.22+ loads ProcessPrng from bcryptprimitives.dll, which Wine 8.0 lacks.
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" scripts/cross/processprng.c -lbcrypt
w() { winepath -w "$1"; }

say "windows/amd64: cache lock and disk-full tests under Wine"
timeout 120 wine "$work/hub.test.exe" -test.run 'TestLockFileExclusive|TestIsDiskFullWindows' -test.v >"$work/lock.out" 2>&1 || { cat "$work/lock.out"; die "hub tests failed under Wine"; }
for t in TestLockFileExclusive TestIsDiskFullWindows; do
	grep -q -- "--- PASS: $t" "$work/lock.out" || { cat "$work/lock.out"; die "hub test $t did not run under Wine"; }
done

say "windows/amd64: tiny-clip, 100 samples, CPU, under Wine"
ONNXRUNTIME_LIB=$(w "$winlib") timeout 600 wine "$work/zsic.exe" "${eval_args[@]}" --dataset "$(w "$parquet")" --predictions "$(w "$work/windows.jsonl")" ||
	die "zsic.exe eval failed under Wine"
$GO run ./scripts/cross/samepreds "$work/linux.jsonl" "$work/windows.jsonl" || die "Windows predictions differ from Linux"

say "windows/amd64: --device directml under Wine (no DirectX 12 device)"
set +e
ONNXRUNTIME_LIB=$(w "$winlib") timeout 120 wine "$work/zsic.exe" "${eval_args[@]}" --dataset "$(w "$parquet")" --device directml:0 >"$work/dml.out" 2>&1
rc=$?
set -e
cat "$work/dml.out"
[ $rc -ne 124 ] || die "--device directml hung (killed after 120 s)"
[ $rc -ne 0 ] || die "--device directml succeeded under Wine, which has no DirectX 12 device"
grep -q 'no DirectX 12 device for DirectML (adapter 0)' "$work/dml.out" || die "--device directml did not name the missing DirectX 12 device"
! grep -q 'not available in this ONNX Runtime library' "$work/dml.out" || die "--device directml blamed a missing provider"

say "linux/arm64: vet and build (cgo, gcc-aarch64-linux-gnu)"
export_arm=(env GOOS=linux GOARCH=arm64 CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc)
"${export_arm[@]}" $GO vet ./...
"${export_arm[@]}" $GO build -o "$work/zsic-arm64" ./cmd/zsic

say "linux/arm64: tiny-clip, 100 samples, under qemu-aarch64-static (ONNX Runtime $qemu_ort)"
ONNXRUNTIME_LIB=$amdlib "$work/zsic" "${eval_args[@]}" --dataset "$parquet" --predictions "$work/linux-$qemu_ort.jsonl"
ONNXRUNTIME_LIB=$armlib timeout 900 qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/zsic-arm64" "${eval_args[@]}" --dataset "$parquet" --predictions "$work/arm64.jsonl" ||
	die "zsic eval failed under qemu-aarch64-static"
$GO run ./scripts/cross/samepreds -tol 1e-5 "$work/linux-$qemu_ort.jsonl" "$work/arm64.jsonl" || die "linux/arm64 predictions differ from linux/amd64"

for p in darwin/arm64 windows/arm64; do
	say "$p: vet without cgo"
	penv=(env GOOS=${p%/*} GOARCH=${p#*/} CGO_ENABLED=0)
	# Packages whose code or tests import onnxruntime_go need cgo.
	"${penv[@]}" $GO list -e -test -f '{{.ImportPath}}|{{join .Deps " "}}' ./... |
		awk -F'|' '$2 ~ /yalue\/onnxruntime_go/ { p = $1; sub(/ \[.*\]$/, "", p); sub(/(\.test|_test)$/, "", p); print p }' |
		sort -u >"$work/needcgo"
	pkgs=$("${penv[@]}" $GO list ./... | grep -vxF -f "$work/needcgo")
	"${penv[@]}" $GO vet $pkgs
	say "$p: vetted $(echo "$pkgs" | wc -l) packages; not checkable without a cgo cross compiler (they import onnxruntime_go): $(tr '\n' ' ' <"$work/needcgo")"
done
say "done"
