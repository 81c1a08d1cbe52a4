# Shell functions shared by the benchmark scripts; sourced, not run. Loopback only.

pids=()
bench_cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap bench_cleanup EXIT

# start_server PORT COMMAND...: runs COMMAND in the background (output discarded), sets
# server_pid, and returns once 127.0.0.1:PORT accepts a connection (exits after 5 s if not).
start_server() {
  local port=$1
  shift
  "$@" >/dev/null 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "$1 did not start on port $port"
  exit 1
}

stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

# field NAME LINE: the value of NAME=value in a program's one-line report.
field() { sed -n "s/.*[ :]$1=\([^ ]*\).*/\1/p" <<<"$2"; }

# median NUMBERS...: the middle one (the lower middle of an even count).
median() { tr ' ' '\n' <<<"$*" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }

# A first port for the servers of one run, counted up from by the caller: random, so that two
# runs do not meet, and below Linux's ephemeral range (32768+), where the load clients' own
# connections (10,000 of them in the idle case) could already hold it.
first_port() { echo $((20000 + RANDOM % 12000)); }

# require_pinned_tools PROGRAM...: exits 2 naming a program that is not built, or taskset
# missing (the scripts pin server and load to separate cores).
require_pinned_tools() {
  local tool
  for tool in "$@"; do
    [ -x "$tool" ] || { echo "missing $tool: build the project first"; exit 2; }
  done
  command -v taskset >/dev/null || { echo "taskset (util-linux) is needed to pin the processes"; exit 2; }
}

# results_file BUILD_DIR KIND EXT: BUILD_DIR/bench-results/KIND-<UTC time>.EXT (folder made).
results_file() {
  mkdir -p "$1/bench-results"
  echo "$1/bench-results/$2-$(date -u +%Y%m%dT%H%M%SZ).$3"
}

# results_begin BUILD_DIR KIND COMMAND...: starts a JSON results file. Sets results (its path,
# from results_file), results_utc (the stamp in its name), results_load_before and
# results_command (COMMAND..., the script and its arguments as the caller was run).
results_begin() {
  results=$(results_file "$1" "$2" json)
  results_kind=$2
  results_utc=$(basename "$results" .json)
  results_utc=${results_utc#"$2"-}
  results_load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  shift 2
  results_command="$*"
}

# json_str TEXT: TEXT as a JSON string (quotes, backslashes, tabs and newlines escaped).
json_str() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

# json_num VALUE: VALUE if it is a number, else null (a failed run's "nan", "n/a" or nothing).
json_num() { [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "$1" || echo null; }

# json_list VALUES...: the numbers as a JSON array (anything else as null).
json_list() {
  local v out=()
  for v in $*; do out+=("$(json_num "$v")"); done
  local IFS=,
  echo "[${out[*]}]"
}

# results_head: the fields every results file opens with (after its "{"): the kind, the UTC
# stamp, the command, the machine's cores, and its load average before the run and now. The
# caller adds its parameters and figures and closes the object.
json_items() {  # the JSON values given, one a line, comma-separated: the body of an array
  local i
  for ((i = 1; i <= $#; i++)); do printf '    %s%s\n' "${!i}" "$( ((i < $#)) && echo ,)"; done
}
results_head() {
  printf '  "bench": %s,\n  "utc": "%s",\n  "command": %s,\n  "cores": %s,\n' \
    "$(json_str "$results_kind")" "$results_utc" "$(json_str "$results_command")" "$(nproc)"
  printf '  "load_before": "%s",\n  "load_after": "%s",\n' "$results_load_before" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# summary_json LINE: a program's one-line report of NAME=value fields as a JSON object (numbers
# stay numbers); an empty line gives null.
summary_json() {
  [ -n "$1" ] || { echo null; return; }
  tr ' ' '\n' <<<"$1" | awk -F= 'NF == 2 {
      v = ($2 ~ /^-?[0-9]+(\.[0-9]+)?$/) ? $2 : "\"" $2 "\""
      printf "%s\"%s\": %s", (n++ ? ", " : "{"), $1, v }
    END { print (n ? "}" : "null") }'
}
