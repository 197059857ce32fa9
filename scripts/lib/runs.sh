# runs.sh: the shell helpers of the experiment scripts (few-labels.sh, transfer-set.sh): run a kdistill
# command once per output directory, skipping finished runs and resuming interrupted ones, safe when
# several copies of a script share the list. Source it after setting BIN (the kdistill binary).

# finished DIR: whether `kdistill status` says the run in DIR is over (completed or diverged).
finished() {
    case $("$BIN" status "$1") in completed | diverged) return 0 ;; *) return 1 ;; esac
}

# run THREADS COMMAND CONFIG [ARGS...]: runs `kdistill COMMAND CONFIG ARGS --resume` unless the output
# directory it resolves to holds a finished run. An flock on DIR/.run.lock, held until the run ends (the
# kernel drops it if the process dies), lets copies of a script started side by side take the next free run.
run() {
    threads=$1 command=$2
    shift 2
    if ! dir=$("$BIN" validate "$@" --get output.dir); then echo "$0: $* does not validate, skipped" >&2; return 0; fi
    if finished "$dir"; then return 0; fi
    mkdir -p "$dir"
    exec 9>"$dir/.run.lock"
    if ! flock -n 9; then
        echo "$0: $dir running in another copy, skipped" >&2
        exec 9>&-
        return 0
    fi
    if ! finished "$dir"; then
        echo "$0: $command $*" >&2
        "$BIN" --threads "$threads" "$command" "$@" --resume >> "$dir/kdistill.out" 2>> "$dir/kdistill.log" ||
            echo "$0: $dir failed (exit $?): see $dir/kdistill.log" >&2
    fi
    exec 9>&-
}
