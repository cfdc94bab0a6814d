#!/usr/bin/env bash
# Ingest throughput on each catalog backend, side by side in one run: one SQLite process, and one,
# two and three PostgreSQL nodes (concurrent `copydesk ingest` processes, each on its share of the
# files, one catalog, one Archive), on text files and on HTML pages; with the time each node held
# the PostgreSQL catalog's write lock (the part serialized across nodes).
#
#   Benchmarks/nodes-bench.sh [--files N] [--rounds R] [--baseline OTHER_COPYDESK_BINARY]
#
# Needs a release build (swift build -c release --product copydesk) and Debian's postgresql (the
# server binaries in /usr/lib/postgresql/15/bin); starts a throwaway cluster in /tmp (Unix socket
# only, fsync on, as a real server) and removes it at the end. Rounds alternate the configurations;
# the table gives medians. --baseline adds the SQLite figures of another copydesk binary (an older
# commit) measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

files=3000
rounds=3
baseline=""
while [ $# -gt 0 ]; do
    case "$1" in
        --files) files=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --baseline) baseline=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
bin=$PWD/.build/release/copydesk
[ -x "$bin" ] || { echo "build first: swift build -c release --product copydesk" >&2; exit 1; }
pg_bin=${COPYDESK_PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/copydesk-nodes.XXXXXX)
chmod 755 "$work"
as_postgres() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
cleanup() {
    [ -f "$work/pg/data/postmaster.pid" ] && as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w -s stop || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
as_postgres "$pg_bin/initdb" -D "$work/pg/data" -A trust -U copydesk -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -s \
    -o "-k $work/pg -c listen_addresses='' -p 5432" start

# The corpora: distinct news-like texts (random words from a vocabulary of 2,000, a Zipf-like
# choice), and the same texts as web pages with a site's navigation, teaser boxes and footer.
python3 - "$work" "$files" <<'EOF'
import os, random, sys
work, count = sys.argv[1], int(sys.argv[2])
random.seed(42)
vocabulary = ["w%d" % i for i in range(2000)]
weights = [1.0 / (i + 1) for i in range(2000)]
os.makedirs(f"{work}/text"); os.makedirs(f"{work}/html")
for n in range(count):
    words = random.choices(vocabulary, weights, k=420)
    paragraphs = [" ".join(words[i:i + 60]) + "." for i in range(0, 420, 60)]
    title = "Story %d: %s" % (n, " ".join(words[:6]))
    open(f"{work}/text/{n:05d}.txt", "w").write(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
    nav = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(12))
    teasers = "".join(f'<div class="teaser"><a href="/t{i}">Read also: item {i}</a></div>' for i in range(6))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    open(f"{work}/html/{n:05d}.html", "w").write(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title} | Example Times</title>'
        f'<meta property="og:title" content="{title}"><script>var x = 1;</script></head><body>'
        f'<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>'
        f'<p class="byline">By A. Reporter</p>{body}</article><aside>{teasers}</aside></main>'
        f'<footer><p>Copyright Example Times. All rights reserved.</p><p>Subscribe to our newsletter</p></footer>'
        f"</body></html>\n")
EOF

# run LABEL BINARY NODES KIND: ingest the corpus KIND with NODES concurrent processes; prints
# "LABEL KIND files/s lock-held-seconds".
run() {
    local label=$1 binary=$2 nodes=$3 kind=$4 catalog option=--catalog
    local archive="$work/archive-$label-$kind-$RANDOM"
    mkdir -p "$archive"
    if [ "$nodes" = 0 ]; then
        catalog="$archive/copydesk.sqlite"
        option=--database  # the older name, which a baseline binary knows too
        nodes=1
    else
        local database="bench_${label}_${kind}_$RANDOM$RANDOM"
        as_postgres "$pg_bin/createdb" -h "$work/pg" -U copydesk "$database"
        catalog="postgresql://copydesk@/$database?host=$work/pg"
    fi
    # Each node gets its share: a folder of hard links.
    local shares=()
    for ((node = 0; node < nodes; node++)); do
        local share="$archive-share-$node"
        mkdir -p "$share"
        find "$work/$kind" -type f | sort | awk -v n="$nodes" -v k="$node" 'NR % n == k' |
            while read -r file; do ln "$file" "$share/"; done
        shares+=("$share")
    done
    local start end pids=() logs=()
    start=$(date +%s.%N)
    for share in "${shares[@]}"; do
        local log="$share.log"
        COPYDESK_LOG_LEVEL=error "$binary" ingest "$option" "$catalog" --archive "$archive" "$share" >"$log" 2>&1 &
        pids+=($!)
        logs+=("$log")
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    end=$(date +%s.%N)
    local held
    held=$(cat "${logs[@]}" | sed -n 's/.*write lock held \([0-9.]*\) s.*/\1/p' | awk '{ s += $1 } END { printf "%.3f", s }')
    echo "$label $kind $(echo "$files / ($end - $start)" | bc -l | xargs printf '%.0f') $held"
    rm -rf "$archive" "$archive"-share-*
}

configurations=("sqlite $bin 0" "pg1 $bin 1" "pg2 $bin 2" "pg3 $bin 3")
[ -n "$baseline" ] && configurations=("sqlite-baseline $baseline 0" "${configurations[@]}")
results="$work/results"
for ((round = 1; round <= rounds; round++)); do
    for kind in text html; do
        for configuration in "${configurations[@]}"; do
            # shellcheck disable=SC2086
            run $configuration "$kind" | tee -a "$results"
        done
    done
done

echo
echo "medians of $rounds rounds, $files files each (files/s; write lock held, seconds summed over nodes)"
python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, kind, rate, held = line.split()
    rows.setdefault((label, kind), []).append((float(rate), float(held)))
order = []
for label, kind in rows:
    if label not in order: order.append(label)
print("| configuration | text files/s | text lock held s | HTML files/s | HTML lock held s |")
print("|---|---|---|---|---|")
for label in order:
    cells = []
    for kind in ("text", "html"):
        values = rows.get((label, kind), [])
        cells += [f"{statistics.median(v[0] for v in values):.0f}", f"{statistics.median(v[1] for v in values):.2f}"]
    print(f"| {label} | " + " | ".join(cells) + " |")
EOF
