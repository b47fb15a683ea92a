# shellcheck shell=bash
# Helpers for scripts/setup. Sourced, not executed.
# Expects: LOG_DIR (where per-step logs go). Honours SETUP_VERBOSE=1 (stream logs to the terminal).

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _c_bold=$'\e[1m'; _c_red=$'\e[31m'; _c_green=$'\e[32m'; _c_dim=$'\e[2m'; _c_off=$'\e[0m'
else
  _c_bold=''; _c_red=''; _c_green=''; _c_dim=''; _c_off=''
fi

# step NAME MESSAGE...   one line per step: "[name] message"
step() { local name=$1; shift; printf '%s[%-8s]%s %s\n' "$_c_bold" "$name" "$_c_off" "$*"; }
note() { printf '           %s%s%s\n' "$_c_dim" "$*" "$_c_off"; }

# die MESSAGE [LOGFILE]   print an error (and the tail of LOGFILE), exit 1
die() {
  local msg=$1 log=${2:-}
  printf '%sERROR:%s %s\n' "$_c_red" "$_c_off" "$msg" >&2
  if [[ -n "$log" && -f "$log" ]]; then
    printf -- '----- last 60 lines of %s -----\n' "$log" >&2
    tail -n 60 "$log" >&2
    printf -- '----- full log: %s -----\n' "$log" >&2
  fi
  exit 1
}

# run_logged LOGFILE CMD...   run CMD with stdout+stderr appended to LOGFILE; returns CMD's status
run_logged() {
  local log=$1; shift
  mkdir -p "$(dirname "$log")"
  printf '\n$ %s\n' "$*" >>"$log"
  if [[ "${SETUP_VERBOSE:-0}" == 1 ]]; then
    "$@" 2>&1 | tee -a "$log"
    return "${PIPESTATUS[0]}"
  else
    "$@" >>"$log" 2>&1
  fi
}

# version_ge A B   true if dotted version A >= B (numeric compare of each part)
version_ge() {
  local -a a b
  IFS=. read -r -a a <<<"$1"
  IFS=. read -r -a b <<<"$2"
  local i x y
  for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
    x=${a[i]:-0}; y=${b[i]:-0}
    x=${x%%[!0-9]*}; y=${y%%[!0-9]*}
    ((10#${x:-0} > 10#${y:-0})) && return 0
    ((10#${x:-0} < 10#${y:-0})) && return 1
  done
  return 0
}

# expect_series WHAT ACTUAL PREFIX   fail unless ACTUAL starts with PREFIX
expect_series() {
  local what=$1 actual=$2 prefix=$3
  [[ -n "$actual" ]] || die "$what: could not determine its version"
  [[ "$actual" == "$prefix"* ]] ||
    die "$what $actual is not the expected series ${prefix}x (scripts/toolchains/versions.env). Debian's package changed: check the tool still works, then update the EXPECT_* line."
}

# sha256 of files + extra strings (used for stamps)
fingerprint() {
  {
    local f
    for f in "$@"; do
      if [[ -f "$f" ]]; then cat "$f"; else printf '%s\n' "$f"; fi
    done
  } | sha256sum | cut -d' ' -f1
}

# elapsed since START (seconds, 1 decimal), START from `date +%s%N`
elapsed() { local now; now=$(date +%s%N); printf '%d.%d' $(((now - $1) / 1000000000)) $(((now - $1) / 100000000 % 10)); }
