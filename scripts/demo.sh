#!/usr/bin/env bash
# Set up .venv and run the demo: the seed tutorial's multi-layer perceptron trained with
# fchain's Trainer (examples/mnist/train_mnist.py: 20 epochs, batches of 100, SGD, 100
# units) on Fashion-MNIST, then print how long it took.
#
# Extra arguments go to train_mnist.py, e.g. `bash scripts/demo.sh --epoch 1`,
# `--dataset mnist`, `--limit 1000`, `--device @cupy:0`, `--out /tmp/result`.
#
# Data: when the data set is not found (cache under $FCHAIN_DATASET_ROOT, default
# ~/.fchain/dataset, or /usr/share/datasets/fashion-mnist), and apt-get is available,
# Debian's `dataset-fashion-mnist` package is installed (as root, or with sudo when it
# needs no password); otherwise the loader tries to download the files.
#
# Environment: FCHAIN_DEMO_SKIP_SETUP=1 skips scripts/setup.sh (use an existing
# .venv); FCHAIN_DEMO_NO_APT=1 never calls apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${FCHAIN_DEMO_SKIP_SETUP:-0}" != 1 ]; then
    bash scripts/setup.sh
fi
PY=.venv/bin/python

dataset=fashion-mnist
prev=
for arg in "$@"; do
    case "$arg" in
        --dataset=*) dataset=${arg#--dataset=} ;;
    esac
    if [ "$prev" = --dataset ]; then dataset=$arg; fi
    prev=$arg
done

install_fashion_mnist() {
    if [ "${FCHAIN_DEMO_NO_APT:-0}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
        return 1
    fi
    local sudo=
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            echo "demo: Fashion-MNIST is missing; install it with:" >&2
            echo "      sudo apt-get install dataset-fashion-mnist" >&2
            return 1
        fi
    fi
    echo "demo: installing Debian's dataset-fashion-mnist (into /usr/share/datasets/fashion-mnist)"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y dataset-fashion-mnist
}

if [ "$dataset" = fashion-mnist ] && ! "$PY" -m examples.mnist.train_mnist --check-data --dataset fashion-mnist; then
    install_fashion_mnist || echo "demo: continuing; the loader will try to download the files" >&2
fi

start=$(date +%s.%N)
"$PY" -m examples.mnist.train_mnist "$@"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "demo: wall time %.1f s\n", e - s }'
