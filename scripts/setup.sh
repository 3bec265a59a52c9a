#!/usr/bin/env bash
# Installs what zsic's tests need on a fresh machine (run by `make setup`):
#   1. ONNX Runtime's shared library, from the npm package onnxruntime-node,
#      checked against a pinned SHA-256 and cached outside the repository;
#   2. the CIFAR-100 test parquet and the CLIP tokenizer reference data;
#   3. the Go modules.
# A second run finds everything in place and returns at once.
set -euo pipefail

ORT_VERSION=1.24.3
ORT_SHA256=92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682
ORT_MEMBER=package/bin/napi-v6/linux/x64/libonnxruntime.so.1

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/zsic
ortdir=$cache/onnxruntime-$ORT_VERSION
lib=$ortdir/libonnxruntime.so.1

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

install_ort() {
	if [ -n "${ONNXRUNTIME_LIB:-}" ]; then
		[ -f "$ONNXRUNTIME_LIB" ] || die "ONNXRUNTIME_LIB=$ONNXRUNTIME_LIB does not exist"
		say "ONNX Runtime: using ONNXRUNTIME_LIB=$ONNXRUNTIME_LIB"
		return
	fi
	if [ -f "$lib" ] && [ "$(sha "$lib")" = "$ORT_SHA256" ]; then
		say "ONNX Runtime $ORT_VERSION: $lib (cached)"
		return
	fi
	case "$(uname -s)/$(uname -m)" in
	Linux/x86_64) ;;
	*) die "the pinned ONNX Runtime build is for Linux x86-64; on $(uname -s)/$(uname -m) set ONNXRUNTIME_LIB to your libonnxruntime" ;;
	esac
	command -v npm >/dev/null || die "npm is needed to fetch onnxruntime-node@$ORT_VERSION (install Node.js), or set ONNXRUNTIME_LIB"
	local tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	say "ONNX Runtime $ORT_VERSION: fetching onnxruntime-node@$ORT_VERSION with npm pack"
	(cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null) ||
		die "npm pack onnxruntime-node@$ORT_VERSION failed (offline? set ONNXRUNTIME_LIB to a libonnxruntime.so)"
	tar -xzf "$tmp"/onnxruntime-node-"$ORT_VERSION".tgz -C "$tmp" "$ORT_MEMBER" ||
		die "onnxruntime-node@$ORT_VERSION has no $ORT_MEMBER"
	got=$(sha "$tmp/$ORT_MEMBER")
	[ "$got" = "$ORT_SHA256" ] || die "libonnxruntime.so.1 from onnxruntime-node@$ORT_VERSION has SHA-256 $got, want $ORT_SHA256"
	mkdir -p "$ortdir"
	mv "$tmp/$ORT_MEMBER" "$lib.tmp.$$"
	mv "$lib.tmp.$$" "$lib"
	say "ONNX Runtime $ORT_VERSION: installed $lib (SHA-256 verified)"
}

# find_data REL: prints the first of $ZSIC_DATA/REL, ../shared/data/REL, cache/data/REL.
find_data() {
	local d
	for d in ${ZSIC_DATA:+"$ZSIC_DATA"} "$root/../shared/data" "$cache/data"; do
		if [ -e "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

install_cifar() {
	local p
	if [ -n "${ZSIC_CIFAR100:-}" ]; then
		[ -f "$ZSIC_CIFAR100" ] || die "ZSIC_CIFAR100=$ZSIC_CIFAR100 does not exist"
		say "CIFAR-100 test split: $ZSIC_CIFAR100 (ZSIC_CIFAR100)"
		return
	fi
	if p=$(find_data cifar100/test.parquet); then
		say "CIFAR-100 test split: $p"
		return
	fi
	say "CIFAR-100 test split: not found locally; downloading uoft-cs/cifar100 (test) from the Hugging Face Hub"
	mkdir -p "$cache/data/cifar100"
	if (cd "$root" && go run ./cmd/zsic fetch --dataset uoft-cs/cifar100 --split test --to "$cache/data/cifar100/test.parquet"); then
		say "CIFAR-100 test split: $cache/data/cifar100/test.parquet"
		return
	fi
	die "no CIFAR-100 test parquet: put it at ../shared/data/cifar100/test.parquet, or set ZSIC_CIFAR100 to its path, or run setup online"
}

check_tokenizer_data() {
	local f missing=()
	for f in vocab.json merges.txt reference_ids.jsonl; do
		find_data "tokenizers/clip/$f" >/dev/null || missing+=("$f")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "CLIP tokenizer reference data missing (${missing[*]}): put OpenAI CLIP's vocab.json, merges.txt and reference_ids.jsonl in ../shared/data/tokenizers/clip/ or in \$ZSIC_DATA/tokenizers/clip/"
	say "CLIP tokenizer reference data: $(dirname "$(find_data tokenizers/clip/vocab.json)")"
}

install_ort
(cd "$root" && go mod download) || die "go mod download failed"
check_tokenizer_data
install_cifar
say "done"
