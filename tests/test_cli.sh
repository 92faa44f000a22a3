#!/usr/bin/env bash
# End-to-end tests of the nmfkit command-line tool.
#   NMFKIT_CLI=/path/to/nmfkit bash tests/test_cli.sh
# Uses only bash, awk, grep, sed, cmp and od (no python), so it runs in CI as is.
set -euo pipefail

CLI=${NMFKIT_CLI:?set NMFKIT_CLI to the nmfkit binary}
[[ -x $CLI ]] || { echo "FAIL: NMFKIT_CLI=$CLI is not an executable" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nmfkit_cli_test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

checks=0
check() { checks=$((checks + 1)); echo "check: $*"; }
fail() {
    echo "FAIL: $*" >&2
    for f in out err; do
        if [[ -s $f ]]; then echo "--- $f:" >&2; sed 's/^/    /' "$f" >&2; fi
    done
    exit 1
}

# run ARGS...: runs the CLI with stdout in ./out, stderr in ./err; sets $rc.
run() {
    rc=0
    "$CLI" "$@" >out 2>err || rc=$?
}

# ok ARGS...: the run must succeed.
ok() {
    run "$@"
    [[ $rc -eq 0 ]] || fail "expected exit 0, got $rc: nmfkit $*"
}

# expect CODE KEYWORD ARGS...: the run must exit with CODE and say KEYWORD on stderr,
# prefixed with "nmfkit: error:" and without writing to stdout.
expect() {
    local code=$1 keyword=$2
    shift 2
    run "$@"
    [[ $rc -eq $code ]] || fail "expected exit $code, got $rc: nmfkit $*"
    grep -q '^nmfkit: error: ' err || fail "no 'nmfkit: error:' message on stderr: nmfkit $*"
    grep -qF -- "$keyword" err || fail "stderr does not mention '$keyword': nmfkit $*"
    [[ ! -s out ]] || fail "stdout is not empty on error: nmfkit $*"
}

# json_field NAME: the value of a number/bool field in the JSON line in ./out.
json_field() {
    sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" out
}

# shape FILE: "ROWSxCOLS" of a CSV file (columns of its first line).
shape() {
    awk -F, 'NR == 1 { c = NF } END { printf "%dx%d", NR, c }' "$1"
}

# check_nonneg FILE: every cell is a number >= 0 and every line has the same count.
check_nonneg() {
    awk -F, '
        NR == 1 { c = NF }
        NF != c { printf "line %d has %d cells, expected %d\n", NR, NF, c; exit 1 }
        { for (j = 1; j <= NF; ++j)
              if ($j !~ /^[0-9.e+-]+$/ || $j + 0 < 0) { printf "line %d cell %d: %s\n", NR, j, $j; exit 1 } }
    ' "$1" || fail "$1 has a malformed or negative value"
}

# relerr X W H: ||X - W*H||_F / ||X||_F computed from the CSV files.
relerr() {
    awk -F, '
        FILENAME == ARGV[1] { n = FNR; m = NF; for (j = 1; j <= NF; ++j) X[FNR, j] = $j; next }
        FILENAME == ARGV[2] { r = NF; for (k = 1; k <= NF; ++k) W[FNR, k] = $k; next }
        { for (j = 1; j <= NF; ++j) H[FNR, j] = $j }
        END {
            num = 0; den = 0
            for (i = 1; i <= n; ++i)
                for (j = 1; j <= m; ++j) {
                    s = 0
                    for (k = 1; k <= r; ++k) s += W[i, k] * H[k, j]
                    d = X[i, j] - s; num += d * d; den += X[i, j] * X[i, j]
                }
            printf "%.9g\n", sqrt(num / den)
        }' "$1" "$2" "$3"
}

# less A B: A < B as numbers.
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# close A B: |A - B| <= 1e-6 + 1e-3·|B|.
close() {
    awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; t = b < 0 ? -b : b; exit !(d <= 1e-6 + 1e-3 * t) }'
}

# ---- test data ------------------------------------------------------------------
# X = W*·H* with W* (6×2), H* (2×5) non-negative: exactly rank 2.
cat >wstar.csv <<'EOF'
1,0
2,1
0,3
1,1
4,2
0.5,2
EOF
cat >hstar.csv <<'EOF'
1,2,0,1,3
0,1,2,1,0.5
EOF
awk -F, '
    FILENAME == ARGV[1] { for (k = 1; k <= NF; ++k) W[FNR, k] = $k; n = FNR; r = NF; next }
    { for (j = 1; j <= NF; ++j) H[FNR, j] = $j; m = NF }
    END { for (i = 1; i <= n; ++i) {
              line = ""
              for (j = 1; j <= m; ++j) {
                  s = 0; for (k = 1; k <= r; ++k) s += W[i, k] * H[k, j]
                  line = line (j > 1 ? "," : "") s
              }
              print line } }' wstar.csv hstar.csv >x.csv
[[ $(shape x.csv) == 6x5 ]] || fail "could not generate the 6x5 test matrix"

FIT=(fit x.csv --rank 2 --max-iter 500 --tol 0)

# ---- CSV round trip -------------------------------------------------------------
check "CSV round trip: planted rank-2 6x5 matrix, --rank 2 --max-iter 500 --tol 0 --json"
ok "${FIT[@]}" --out-w w.csv --out-h h.csv --json
[[ $(shape w.csv) == 6x2 ]] || fail "W is $(shape w.csv), expected 6x2"
[[ $(shape h.csv) == 2x5 ]] || fail "H is $(shape h.csv), expected 2x5"
check_nonneg w.csv
check_nonneg h.csv
err_awk=$(relerr x.csv w.csv h.csv)
less "$err_awk" 1e-2 || fail "relative error of W*H (awk) is $err_awk, expected < 1e-2"
err_json=$(json_field relative_error)
close "$err_json" "$err_awk" || fail "--json relative_error $err_json disagrees with awk's $err_awk"
[[ $(json_field iterations) == 500 ]] || fail "--tol 0 must run all 500 iterations, ran $(json_field iterations)"
[[ $(json_field converged) == false ]] || fail "--tol 0 must report converged false"
echo "       relative error: awk $err_awk, --json $err_json"

check "--json prints exactly one line with the keys in order"
[[ $(wc -l <out) -eq 1 ]] || fail "--json printed $(wc -l <out) lines"
num='-?[0-9][0-9.eE+-]*'
grep -qE "^\{\"iterations\":[0-9]+,\"loss\":$num,\"relative_error\":$num,\"seconds\":$num,\"converged\":(true|false)(,[^{}]*)?\}$" out ||
    fail "--json line does not match the expected shape"
grep -qE '"kernel":"[a-z0-9_-]+"' out || fail "--json has no kernel name"
grep -qF '"rows":6,"cols":5,"rank":2' out || fail "--json has wrong rows/cols/rank"

check "default tol stops early and reports converged"
ok fit x.csv --rank 2 --max-iter 100000 --out-w w.csv --out-h h.csv --json
[[ $(json_field converged) == true ]] || fail "default --tol 1e-4 did not converge within 100000 iterations"

check "human-readable summary without --json"
ok "${FIT[@]}" --out-w w.csv --out-h h.csv
for word in iterations loss "relative error" seconds kernel converged; do
    grep -qi "$word" out || fail "summary does not mention '$word'"
done
grep -q '{' out && fail "summary looks like JSON"

# ---- determinism ----------------------------------------------------------------
check "same seed twice gives byte-identical W and H"
ok "${FIT[@]}" --seed 7 --out-w w1.csv --out-h h1.csv
ok "${FIT[@]}" --seed 7 --out-w w2.csv --out-h h2.csv
cmp -s w1.csv w2.csv || fail "W differs between two runs with --seed 7"
cmp -s h1.csv h2.csv || fail "H differs between two runs with --seed 7"

check "different seeds give different W"
ok "${FIT[@]}" --seed 8 --out-w w3.csv --out-h h3.csv
cmp -s w1.csv w3.csv && fail "W is identical for --seed 7 and --seed 8"

check "default seed is 0"
ok "${FIT[@]}" --out-w w4.csv --out-h h4.csv
ok "${FIT[@]}" --seed 0 --out-w w5.csv --out-h h5.csv
cmp -s w4.csv w5.csv || fail "no --seed and --seed 0 give different W"

check "--kernel scalar reconstructs X too"
ok "${FIT[@]}" --kernel scalar --out-w ws.csv --out-h hs.csv --json
grep -qF '"kernel":"scalar"' out || fail "--kernel scalar does not report kernel scalar"
less "$(relerr x.csv ws.csv hs.csv)" 1e-2 || fail "--kernel scalar: relative error too large"

# ---- custom init ----------------------------------------------------------------
printf '1,0.5\n0.5,1\n1,1\n2,0.25\n1,1\n0.5,2\n' >w0.csv
printf '1,1,0.5,1,2\n0.25,1,1,1,0.5\n' >h0.csv

check "--init custom with --max-iter 0 writes W0, H0 back unchanged"
ok fit x.csv --rank 2 --init custom --w0 w0.csv --h0 h0.csv --max-iter 0 --out-w w.csv --out-h h.csv
cmp -s w.csv w0.csv || fail "W after --max-iter 0 is not W0"
cmp -s h.csv h0.csv || fail "H after --max-iter 0 is not H0"

check "--init custom fits, and ignores --seed"
ok "${FIT[@]}" --init custom --w0 w0.csv --h0 h0.csv --seed 1 --out-w wc1.csv --out-h hc1.csv
ok "${FIT[@]}" --init custom --w0 w0.csv --h0 h0.csv --seed 2 --out-w wc2.csv --out-h hc2.csv
cmp -s wc1.csv wc2.csv || fail "--init custom output depends on --seed"
less "$(relerr x.csv wc1.csv hc1.csv)" 1e-2 || fail "--init custom: relative error too large"
cmp -s wc1.csv w1.csv && fail "--init custom gave the same W as random init"

# ---- f64 ------------------------------------------------------------------------
check "--dtype f64 reconstructs X and reports dtype f64"
ok "${FIT[@]}" --dtype f64 --out-w w64.csv --out-h h64.csv --json
grep -qF '"dtype":"f64"' out || fail "--dtype f64 not reported in --json"
[[ $(shape w64.csv) == 6x2 && $(shape h64.csv) == 2x5 ]] || fail "--dtype f64: wrong output shapes"
check_nonneg w64.csv
err64=$(relerr x.csv w64.csv h64.csv)
less "$err64" 1e-2 || fail "--dtype f64: relative error $err64"
close "$(json_field relative_error)" "$err64" || fail "--dtype f64: --json relative_error disagrees with awk"
cmp -s w64.csv w4.csv && fail "--dtype f64 wrote the same W as f32"

# ---- input variants -------------------------------------------------------------
check "CSV with BOM, spaces, CRLF, '+' signs and trailing blank lines reads as the clean file"
{
    printf '\xef\xbb\xbf'
    sed -e 's/,/ , /g' -e 's/^/ +/' -e 's/$/ \r/' x.csv
    printf '\r\n\n'
} >messy.csv
ok "${FIT[@]}" --out-w wm.csv --out-h hm.csv
cmp -s wm.csv w4.csv || fail "messy.csv gave a different W than x.csv"

check "'-' reads the matrix from standard input"
rc=0
"$CLI" "${FIT[@]/x.csv/-}" --out-w wi.csv --out-h hi.csv <x.csv >out 2>err || rc=$?
[[ $rc -eq 0 ]] || fail "fit - <x.csv exited $rc"
cmp -s wi.csv w4.csv || fail "stdin input gave a different W than x.csv"

check "raw little-endian float32 input with --shape"
# 1 2 3 / 4 5 6 as float32 little-endian.
printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40\x00\x00\xa0\x40\x00\x00\xc0\x40' >m.f32
[[ $(od -An -v -tx1 m.f32 | wc -w) -eq 24 ]] || fail "could not generate the raw test file"
printf '1,2,3\n4,5,6\n' >m.csv
ok fit m.f32 --shape 2x3 --rank 1 --out-w wr.csv --out-h hr.csv --json
[[ $(shape wr.csv) == 2x1 && $(shape hr.csv) == 1x3 ]] || fail "raw input: wrong output shapes"
ok fit m.csv --rank 1 --out-w wcsv.csv --out-h hcsv.csv
cmp -s wr.csv wcsv.csv || fail "raw input gave a different W than the same CSV"
cmp -s hr.csv hcsv.csv || fail "raw input gave a different H than the same CSV"
cp m.f32 m.raw
ok fit m.raw --shape 2x3 --rank 1 --out-w wr2.csv --out-h hr2.csv
cmp -s wr.csv wr2.csv || fail ".raw and .f32 inputs differ"

check "progress bar: --progress always draws on stderr and ends the line; not on a non-terminal"
ok "${FIT[@]}" --progress always --out-w w.csv --out-h h.csv --json
grep -qF '500/500' err || fail "--progress always did not show 500/500"
[[ $(tail -c 1 err | od -An -tx1 | tr -d ' ') == 0a ]] || fail "progress bar does not end with a newline"
[[ $(wc -l <out) -eq 1 ]] || fail "progress bar leaked into stdout"
ok "${FIT[@]}" --out-w w.csv --out-h h.csv
[[ ! -s err ]] || fail "stderr is not a terminal, yet something was written to it"

# ---- malformed input: exit 1 with a precise message ------------------------------
A=(--rank 2 --out-w bad_w.csv --out-h bad_h.csv)
no_outputs() { [[ ! -e bad_w.csv && ! -e bad_h.csv ]] || fail "output files were left behind after an error: $*"; }

check "missing and unreadable input files"
expect 1 "no-such-file.csv" fit no-such-file.csv "${A[@]}"
expect 1 "No such file" fit no-such-file.csv "${A[@]}"
mkdir adir
expect 1 "adir" fit adir "${A[@]}"

check "empty file and blank-only file"
: >empty.csv
expect 1 "empty" fit empty.csv "${A[@]}"
printf '\n  \n\r\n' >blank.csv
expect 1 "empty" fit blank.csv "${A[@]}"

check "ragged rows name the line and both column counts"
printf '1,2,3\n4,5,6\n7,8\n' >ragged.csv
expect 1 "line 3 has 2 columns, expected 3" fit ragged.csv "${A[@]}"

check "blank line in the middle"
printf '1,2\n\n3,4\n' >gap.csv
expect 1 "line 2" fit gap.csv "${A[@]}"

check "non-numeric cell names line, column and text"
printf '1,2,3\n4,5,abc\n' >text.csv
expect 1 "line 2, column 3" fit text.csv "${A[@]}"
grep -qF "abc" err || fail "message does not quote the bad text"
printf '1,2,3\n4,5,6x\n' >suffix.csv
expect 1 "'6x'" fit suffix.csv "${A[@]}"

check "empty cells and trailing commas"
printf '1,,3\n' >ecell.csv
expect 1 "line 1, column 2: empty" fit ecell.csv "${A[@]}"
printf '1,2,\n' >tcomma.csv
expect 1 "column 3: empty" fit tcomma.csv "${A[@]}"

check "negative and non-finite values in X"
printf '1,2\n3,-4\n' >neg.csv
expect 1 "negative" fit neg.csv "${A[@]}"
grep -qF "line 2, column 2" err || fail "negative X: position not reported"
printf '1,nan\n' >nan.csv
expect 1 "line 1, column 2" fit nan.csv "${A[@]}"
printf 'inf,1\n' >inf.csv
expect 1 "finite" fit inf.csv "${A[@]}"
printf '1e39,1\n' >huge.csv
expect 1 "too large" fit huge.csv "${A[@]}"

check "raw input: wrong size, negative and NaN entries (found by the library)"
expect 1 "24" fit m.f32 --shape 3x3 "${A[@]}"
printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\xbf' >neg.f32
expect 1 "row 2, column 2" fit neg.f32 --shape 2x2 "${A[@]}"
grep -qF "negative" err || fail "raw negative: message does not say negative"
grep -qF "x_negative" err || fail "raw negative: library status name missing"
no_outputs "raw negative input"
printf '\x00\x00\xc0\x7f\x00\x00\x80\x3f' >nan.f32
expect 1 "row 1, column 1" fit nan.f32 --shape 1x2 "${A[@]}"
: >empty.f32
expect 1 "empty" fit empty.f32 --shape 1x1 "${A[@]}"

check "W0 / H0: wrong shapes, negative and non-numeric values"
expect 1 "expected 6x2" fit x.csv "${A[@]}" --init custom --w0 h0.csv --h0 h0.csv
expect 1 "expected 2x5" fit x.csv "${A[@]}" --init custom --w0 w0.csv --h0 w0.csv
sed '3s/^1/-1/' w0.csv >w0neg.csv
expect 1 "w0neg.csv: line 3, column 1: negative" fit x.csv "${A[@]}" --init custom --w0 w0neg.csv --h0 h0.csv
sed '2s/^0.25/one/' h0.csv >h0text.csv
expect 1 "h0text.csv: line 2" fit x.csv "${A[@]}" --init custom --w0 w0.csv --h0 h0text.csv
expect 1 "missing-w0.csv" fit x.csv "${A[@]}" --init custom --w0 missing-w0.csv --h0 h0.csv
no_outputs "bad W0/H0"

check "rank too large: size overflow and not enough memory"
expect 1 "too large" fit x.csv --rank 4611686018427387904 --out-w bad_w.csv --out-h bad_h.csv
expect 1 "too large" fit x.csv --rank 1000000000 --out-w bad_w.csv --out-h bad_h.csv
# An allocation that fits in RAM but not in a 300 MB address-space limit: the
# std::bad_alloc path (skipped where ulimit -v is unavailable, e.g. under ASan).
if (ulimit -v 300000 && "$CLI" --version) >/dev/null 2>&1; then
    rc=0
    (ulimit -v 300000 && exec "$CLI" fit x.csv --rank 10000 --out-w bad_w.csv --out-h bad_h.csv) >out 2>err || rc=$?
    [[ $rc -eq 1 ]] || fail "allocation failure: expected exit 1, got $rc"
    grep -qF "memory" err || fail "allocation failure: message does not mention memory"
else
    echo "       (skipped the bad_alloc case: ulimit -v not usable here)"
fi
no_outputs "rank too large"

check "unwritable output paths"
expect 1 "no-such-dir/w.csv" fit x.csv --rank 2 --out-w no-such-dir/w.csv --out-h h.csv
expect 1 "adir" fit x.csv --rank 2 --out-w w.csv --out-h adir
if [[ -w /dev/full ]]; then
    expect 1 "/dev/full" fit x.csv --rank 2 --out-w w.csv --out-h /dev/full
fi

# ---- usage errors: exit 2 -------------------------------------------------------
check "no arguments prints usage on stderr and exits 2"
run
[[ $rc -eq 2 ]] || fail "no arguments: expected exit 2, got $rc"
grep -q '^usage: nmfkit fit' err || fail "no arguments: no usage on stderr"
[[ ! -s out ]] || fail "no arguments: usage went to stdout"

check "usage errors exit 2 with a message"
rm -f w.csv h.csv
B=(--out-w w.csv --out-h h.csv)
expect 2 "unknown command" frobnicate
expect 2 "unknown option '--bogus'" fit x.csv --rank 2 "${B[@]}" --bogus
expect 2 "unknown option" --bogus
expect 2 "missing INPUT" fit --rank 2 "${B[@]}"
expect 2 "unexpected argument" fit x.csv y.csv --rank 2 "${B[@]}"
expect 2 "--rank" fit x.csv "${B[@]}"
expect 2 "--out-w" fit x.csv --rank 2 --out-h h.csv
expect 2 "--out-h" fit x.csv --rank 2 --out-w w.csv
expect 2 "different" fit x.csv --rank 2 --out-w w.csv --out-h w.csv
expect 2 "--rank" fit x.csv --rank 0 "${B[@]}"
expect 2 "'2.5'" fit x.csv --rank 2.5 "${B[@]}"
expect 2 "'two'" fit x.csv --rank two "${B[@]}"
expect 2 "'-2'" fit x.csv --rank -2 "${B[@]}"
expect 2 "needs a value" fit x.csv "${B[@]}" --rank
expect 2 "--max-iter" fit x.csv --rank 2 "${B[@]}" --max-iter abc
expect 2 "--max-iter" fit x.csv --rank 2 "${B[@]}" --max-iter -1
expect 2 "--max-iter" fit x.csv --rank 2 "${B[@]}" --max-iter 4294967296
expect 2 "--tol" fit x.csv --rank 2 "${B[@]}" --tol -1
expect 2 "--tol" fit x.csv --rank 2 "${B[@]}" --tol nan
expect 2 "--tol" fit x.csv --rank 2 "${B[@]}" --tol 1e-3x
expect 2 "--seed" fit x.csv --rank 2 "${B[@]}" --seed -3
expect 2 "--seed" fit x.csv --rank 2 "${B[@]}" --seed 18446744073709551616
expect 2 "--check-every" fit x.csv --rank 2 "${B[@]}" --check-every 0
expect 2 "--dtype" fit x.csv --rank 2 "${B[@]}" --dtype f16
expect 2 "--init" fit x.csv --rank 2 "${B[@]}" --init nndsvd
expect 2 "--kernel" fit x.csv --rank 2 "${B[@]}" --kernel avx9
expect 2 "--progress" fit x.csv --rank 2 "${B[@]}" --progress sometimes
expect 2 "--w0" fit x.csv --rank 2 "${B[@]}" --init custom --h0 h0.csv
expect 2 "--init custom" fit x.csv --rank 2 "${B[@]}" --w0 w0.csv --h0 h0.csv
expect 2 "--shape" fit m.f32 --rank 1 "${B[@]}"
expect 2 "--shape" fit x.csv --rank 2 "${B[@]}" --shape 6x5
expect 2 "--shape" fit m.f32 --rank 1 "${B[@]}" --shape 2by3
expect 2 "--shape" fit m.f32 --rank 1 "${B[@]}" --shape 0x3
[[ ! -e w.csv && ! -e h.csv ]] || fail "a usage error created an output file"

check "option=value syntax"
ok fit x.csv --rank=2 --max-iter=500 --tol=0 --out-w=we.csv --out-h=he.csv
cmp -s we.csv w4.csv || fail "--opt=value gave a different W than --opt value"

# ---- help and version -----------------------------------------------------------
check "--help, -h and 'fit --help' exit 0 and document every option"
for args in "--help" "-h" "fit --help" "fit x.csv --help"; do
    # shellcheck disable=SC2086
    run $args
    [[ $rc -eq 0 ]] || fail "nmfkit $args exited $rc"
    for opt in fit --rank --max-iter --tol --seed --init random custom --w0 --h0 --dtype f32 f64 \
               --shape --out-w --out-h --json --check-every --kernel --progress --help --version \
               "Default 200" "Default 1e-4" "Default 0" "float32 (default)" "e_0" "Exit status" \
               "CSV" "little-endian"; do
        grep -qF -- "$opt" out || fail "nmfkit $args does not mention '$opt'"
    done
    grep -qE '^ +1 ' out || fail "nmfkit $args does not document exit code 1"
    grep -qE '^ +2 ' out || fail "nmfkit $args does not document exit code 2"
done

check "--version"
ok --version
grep -qE '^nmfkit [0-9]+\.[0-9]+\.[0-9]+' out || fail "--version printed '$(cat out)'"

echo "PASS: $checks checks"
