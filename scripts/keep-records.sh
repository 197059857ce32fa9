#!/bin/sh
# keep-records.sh: copies the small JSON records of finished runs (config.json, summary.json,
# metrics.jsonl, members' too; no checkpoints) into DEST, so `kdistill report DEST/...` rebuilds a report
# after the runs themselves are gone. Paths are kept: runs/fm-r20/lenet5/kd -> DEST/runs/fm-r20/lenet5/kd.
#
# usage: scripts/keep-records.sh DEST RUN_DIR...   (a RUN_DIR may hold several runs; unfinished ones are skipped)
# KDISTILL names the binary that says which runs finished (default: kdistill on PATH, else this checkout's).
set -eu
bin=${KDISTILL:-}
if [ -z "$bin" ]; then
    if command -v kdistill >/dev/null 2>&1; then bin=kdistill; else bin="$(dirname "$0")/../.build/release/kdistill"; fi
fi
[ $# -ge 2 ] || { echo "usage: keep-records.sh DEST RUN_DIR..." >&2; exit 2; }
dest=$1
shift
for top in "$@"; do
    [ -d "$top" ] || { echo "keep-records: $top: no such directory" >&2; exit 1; }
    # A run is a directory with a summary.json that `kdistill status` calls finished.
    find "$top" -name summary.json | while read -r summary; do
        run=$(dirname "$summary")
        status=$("$bin" status "$run") || { echo "keep-records: $run skipped" >&2; continue; }
        case $status in completed | diverged) ;; *) continue ;; esac
        for file in config.json summary.json metrics.jsonl; do
            [ -f "$run/$file" ] || continue
            mkdir -p "$dest/$run"
            cp "$run/$file" "$dest/$run/$file"
        done
        # A diverged cohort member or pipeline stage is reported under its experiment's config.
        parent=$(dirname "$run")
        [ ! -f "$parent/config.json" ] || { mkdir -p "$dest/$parent" && cp "$parent/config.json" "$dest/$parent/"; }
    done
done
