#!/usr/bin/env bash
# The consumer test: uses sslclick the way a user outside this repository does.
#   1. `npm pack` every workspace package (prepack builds it) and checks each tarball's contents;
#   2. installs the tarballs into an empty project in a temporary directory outside the repository
#      (our packages only from the tarballs, pinned with overrides; third-party ones from the
#      registry);
#   3. runs every test/consumer/*.mjs script there with plain node;
#   4. type-checks test/consumer/types/*.ts and every ```ts block of the READMEs against the
#      installed types, with moduleResolution nodenext and bundler (strict,
#      exactOptionalPropertyTypes, no skipLibCheck);
#   5. runs publint and `attw --profile esm-only` on every tarball; both must report nothing.
# Every check counts as one pass or one fail. Prints "consumer test: N passed, N failed" and, when
# given a file, writes "N N" (passed failed) into it for .ci/run. Exit 1 when any check failed.
# SSLCLICK_KEEP_CONSUMER=1 keeps the temporary directory for a look after a failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
summary_file=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/sslclick-consumer.XXXXXX")
case "$work" in "$root"/*) echo "the temporary directory $work is inside the repository"; exit 2 ;; esac
cleanup() { if [ -n "${SSLCLICK_KEEP_CONSUMER:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
mkdir -p "$work/tarballs" "$work/logs" "$work/unpacked" "$work/project"
project="$work/project"
tsc="$root/node_modules/typescript/bin/tsc"
passed=0 failed=0

check() { # $1 = what is checked; the rest = the command, whose output goes to a log shown on failure
  local name=$1; shift
  local log="$work/logs/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '-').log" started=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); printf '  pass  %s (%d s)\n' "$name" $((SECONDS - started))
  else
    failed=$((failed + 1)); printf '  FAIL  %s (%d s)\n' "$name" $((SECONDS - started)); tail -n 60 "$log" | sed 's/^/        /'
  fi
}

# Jobs that run in the background (independent and CPU-bound: on 2 cores they finish sooner side
# by side), each checked when it ends: `start_job <id> <command…>`, then `check <name> finished <id>`.
declare -A job_pids
start_job() { local id=$1; shift; "$@" >"$work/logs/job-$id.log" 2>&1 & job_pids[$id]=$!; }
finished() { wait "${job_pids[$1]}"; local status=$?; cat "$work/logs/job-$1.log"; return $status; }

finish() {
  echo "consumer test: $passed passed, $failed failed"
  [ -n "$summary_file" ] && echo "$passed $failed" >"$summary_file"
  [ "$failed" -eq 0 ]
  exit $?
}

echo "consumer test in $work (node $(node --version))"

# 1. Pack. npm runs each package's prepack (tsc -b; Fastly's edge package too).
check "npm pack every package" bash -c 'cd "$0" && npm pack --workspaces --pack-destination "$1" --silent' "$root" "$work/tarballs"
shopt -s nullglob
tarballs=("$work"/tarballs/*.tgz)
if [ ${#tarballs[@]} -eq 0 ]; then failed=$((failed + 1)); echo "  FAIL  no tarball was produced"; finish; fi
for tarball in "${tarballs[@]}"; do
  name=$(basename "$tarball" .tgz)
  mkdir -p "$work/unpacked/$name" && tar -xzf "$tarball" -C "$work/unpacked/$name"
  check "$name: tarball holds dist, README, LICENSE, CHANGELOG and nothing unusable" \
    node "$root/scripts/check-tarball.mjs" "$work/unpacked/$name/package"
done

# 2. An empty project depending on every tarball. overrides pin each @sslclick/* package to its
# tarball wherever it is depended on, so npm never asks the registry for one of ours.
node - "$root" "$project" "${tarballs[@]}" <<'NODE'
const { writeFileSync, readFileSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const [root, project, ...tarballs] = process.argv.slice(2);
const dependencies = {};
for (const tarball of tarballs) {
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  dependencies[manifest.name] = `file:${tarball}`;
}
const repository = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
writeFileSync(`${project}/package.json`, JSON.stringify({
  name: 'sslclick-consumer', private: true, type: 'module',
  dependencies,
  // vitest: the optional peer of @sslclick/core/testing; @types/node: the user's Node types.
  devDependencies: { vitest: repository.devDependencies.vitest, '@types/node': repository.devDependencies['@types/node'] },
  overrides: dependencies,
}, null, 2));
NODE
check "install the tarballs into an empty project" bash -c 'cd "$0" && npm install --prefer-offline --no-audit --no-fund --loglevel=error' "$project"
check "every @sslclick package comes from its tarball" node -e '
  const lock = require(process.argv[1] + "/package-lock.json");
  const ours = Object.entries(lock.packages).filter(([path]) => path.includes("node_modules/@sslclick/"));
  if (ours.length === 0) throw new Error("no @sslclick package installed");
  for (const [path, entry] of ours) {
    if (!String(entry.resolved).startsWith("file:")) throw new Error(path + " resolved to " + entry.resolved);
    console.log(path, "<-", entry.resolved);
  }' "$project"

# 3. The scripts, with plain node inside the project (so they import the installed packages).
for script in "$root"/test/consumer/*.mjs; do
  cp "$script" "$project/"
  check "node test/consumer/$(basename "$script")" bash -c 'cd "$0" && timeout 300 node "$1"' "$project" "$(basename "$script")"
done

# 4. Type-check as a user's project would, under both resolutions a user picks.
mkdir -p "$project/types"
cp "$root"/test/consumer/types/*.ts "$project/types/"
node "$root/scripts/extract-readme-snippets.mjs" "$root" "$project/types" >"$work/logs/readme-snippets.log" 2>&1 \
  || { failed=$((failed + 1)); echo "  FAIL  extract the README snippets"; cat "$work/logs/readme-snippets.log"; }
for resolution in nodenext bundler; do
  module=$([ "$resolution" = nodenext ] && echo nodenext || echo preserve)
  cat >"$project/tsconfig.$resolution.json" <<JSON
{
  "compilerOptions": {
    "target": "ES2023", "lib": ["ES2023"], "types": ["node"],
    "module": "$module", "moduleResolution": "$resolution",
    "strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true, "skipLibCheck": false, "noEmit": true
  },
  "include": ["types"]
}
JSON
  start_job "tsc-$resolution" node "$tsc" -p "$project/tsconfig.$resolution.json"
done
for resolution in nodenext bundler; do
  check "tsc, moduleResolution $resolution, exactOptionalPropertyTypes ($(ls "$project/types" | wc -l) files)" finished "tsc-$resolution"
done

# 5. Lint what is published.
for tarball in "${tarballs[@]}"; do
  name=$(basename "$tarball" .tgz)
  start_job "publint-$name" bash -c 'output=$("$0" run "$1" 2>&1); echo "$output"; grep -q "All good!" <<<"$output" && ! grep -qiE "^(suggestion|warning|error)s?:?" <<<"$output"' "$root/node_modules/.bin/publint" "$tarball"
  start_job "attw-$name" "$root/node_modules/.bin/attw" --profile esm-only --no-color --no-emoji "$tarball"
done
for tarball in "${tarballs[@]}"; do
  name=$(basename "$tarball" .tgz)
  check "$name: publint reports nothing" finished "publint-$name"
  check "$name: attw --profile esm-only reports nothing" finished "attw-$name"
done

finish
