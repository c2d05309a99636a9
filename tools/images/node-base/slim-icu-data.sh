#!/usr/bin/env bash
# Replaces the ICU data library that node links (libicudata.so.NN, ~33 MB) with one that holds the locale data of the
# given languages only, like Node's own `small-icu` builds, and the converter tables of the WHATWG encodings only
# (~13 MB in all). What is not per-locale stays: time zones, collation root, break iteration (rules, dictionaries),
# plurals, units, normalisation; the transliteration rules go too (nothing in Node.js uses them).
#
#   slim-icu-data.sh <language>...     e.g. slim-icu-data.sh en   (keeps root, en and every en_*)
#
# Runs in the builder stage of tools/images/node-base/Dockerfile, inside the Debian root file system (needs
# icu-devtools for icupkg/derb/genrb and binutils for nm/readelf/as/ld). Intl then offers exactly these locales:
# Intl.DateTimeFormat.supportedLocalesOf(['de']) is [] and a request for German formats falls back to English.
set -euo pipefail

(($#)) || {
  echo "usage: $0 <language>..." >&2
  exit 2
}
readonly -a LANGUAGES=("$@")
# The encodings of the WHATWG Encoding Standard that need an ICU converter table (what TextDecoder accepts).
readonly -a WHATWG_ENCODINGS=(
  IBM866 ISO-8859-2 ISO-8859-3 ISO-8859-4 ISO-8859-5 ISO-8859-6 ISO-8859-7 ISO-8859-8 ISO-8859-8-I ISO-8859-10
  ISO-8859-13 ISO-8859-14 ISO-8859-15 ISO-8859-16 KOI8-R KOI8-U macintosh windows-874 windows-1250 windows-1251
  windows-1252 windows-1253 windows-1254 windows-1255 windows-1256 windows-1257 windows-1258 x-mac-cyrillic GBK
  gb18030 Big5 EUC-JP ISO-2022-JP Shift_JIS EUC-KR
)

lib=$(ldd /usr/bin/node | awk '$1 ~ /^libicudata\.so\./ { print $3 }')
[[ -n $lib ]] || {
  echo "node does not link libicudata" >&2
  exit 1
}
soname=$(basename "$lib")     # libicudata.so.78
major=${soname##*.so.}        # 78
real=$(readlink -f "$lib")    # /usr/lib/x86_64-linux-gnu/libicudata.so.78.3
readonly package="icudt${major}l" symbol="icudt${major}_dat"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The data package is the one exported symbol of the library: copy its bytes out as a .dat file.
read -r address size < <(nm -D --defined-only -S "$real" | awk -v s="$symbol" '$4 == s { print $1, $2 }')
[[ -n ${size:-} ]] || {
  echo "$real exports no $symbol" >&2
  exit 1
}
# File offset = symbol address - address of its section + offset of that section.
offset=
while read -r _ _ start section_offset length _; do
  if ((16#$address >= 16#$start && 16#$address < 16#$start + 16#$length)); then
    offset=$((16#$address - 16#$start + 16#$section_offset))
    break
  fi
done < <(readelf -S -W "$real" | sed -n 's/^ *\[ *[0-9]*\] *\([^ ][^ ]*\) *\([A-Z_][A-Z_]*\) *\([0-9a-f]*\) \([0-9a-f]*\) \([0-9a-f]*\) .*/\1 \2 \3 \4 \5 x/p')
[[ -n $offset ]] || {
  echo "no section of $real holds $symbol" >&2
  exit 1
}
dd if="$real" of="$work/$package.dat" bs=1M iflag=skip_bytes,count_bytes skip="$offset" count=$((16#$size)) status=none

# 2. Per-locale resource bundles (in the root tree and in coll/, curr/, zone/, …) of other languages go.
keep_locale() {
  local id=$1 language
  [[ $id == root ]] && return 0
  for language in "${LANGUAGES[@]}"; do
    [[ $id == "$language" || $id == "${language}_"* ]] && return 0
  done
  return 1
}
# (icupkg reads a list of items from a file only when its name ends in .lst, .txt or .tmp.)
icupkg -l "$work/$package.dat" >"$work/items.lst"
: >"$work/remove.lst"
while IFS= read -r item; do
  # Break iteration follows the script of the text, not the language: its few small bundles stay (the Chinese and
  # Japanese dictionary engine needs brkitr/ja.res whatever the locale).
  [[ $item == brkitr/* ]] && continue
  # Transliteration rules: no Node.js or V8 API uses ICU's transliterator.
  [[ $item == translit/* ]] && printf '%s\n' "$item" >>"$work/remove.lst" && continue
  name=${item##*/}
  [[ $name =~ ^(root|[a-z]{2,3}(_[A-Za-z0-9]*)*)\.res$ && $name != res_index.res ]] || continue
  keep_locale "${name%.res}" || printf '%s\n' "$item" >>"$work/remove.lst"
done <"$work/items.lst"

# 3. Converter tables no WHATWG encoding uses (EBCDIC and other IBM code pages, COMPOUND_TEXT, …): TextDecoder is the
# only way into ICU's converters from Node.js (buffer.transcode knows UTF-8, UTF-16 and Latin-1 only, no tables).
declare -A needed_converters=()
for encoding in "${WHATWG_ENCODINGS[@]}"; do
  converter=$(uconv --list-code "$encoding" 2>/dev/null | head -n 1) || true
  [[ -n $converter && $converter != "Couldn't"* ]] && needed_converters[$converter]=1
done
((${#needed_converters[@]} > 20)) || {
  echo "uconv resolved only ${#needed_converters[@]} of the WHATWG encodings" >&2
  exit 1
}
grep -E '^[^/]+\.cnv$' "$work/items.lst" | while IFS= read -r item; do
  [[ -n ${needed_converters[${item%.cnv}]:-} ]] || printf '%s\n' "$item"
done >>"$work/remove.lst"

# 4. Each tree's res_index (the installed locales that Intl reports) lists only what is left.
grep -E '(^|/)res_index\.res$' "$work/items.lst" | grep -v '^brkitr/' >"$work/indexes.lst"
mkdir -p "$work/in" "$work/out"
icupkg -x "$work/indexes.lst" -d "$work/in" "$work/$package.dat"
while IFS= read -r index; do
  tree=$(dirname "$index") # "." for the root tree
  derb -s "$work/in/$tree" -d "$work/in/$tree" res_index.res
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]+([A-Za-z0-9_]+)[[:space:]]*\{[[:space:]]*\"\"[[:space:]]*\}$ ]]; then
      id=${BASH_REMATCH[1]}
      keep_locale "$id" || continue
    fi
    # derb does not write the flag that keeps ICU from looking for a parent bundle of res_index.
    [[ $line == 'res_index{' ]] && line='res_index:table(nofallback){'
    printf '%s\n' "$line"
  done <"$work/in/$tree/res_index.txt" >"$work/res_index.txt"
  mkdir -p "$work/out/$tree"
  genrb -q -d "$work/out/$tree" "$work/res_index.txt"
done <"$work/indexes.lst"

# icupkg names the items of the package it writes after the file (icudt78l/en.res): same file name, another folder.
mkdir -p "$work/slim"
# Some tables extend others (windows-936-2000.cnv needs ibm-1386_P100-2001.cnv): icupkg names what a kept item still
# needs; keep those too.
for _ in 1 2 3 4 5; do
  if icupkg -r "$work/remove.lst" "$work/$package.dat" "$work/slim/$package.dat" 2>"$work/icupkg.err"; then
    break
  fi
  sed -n 's/^Item .* depends on missing item \(.*\)$/\1/p' "$work/icupkg.err" | LC_ALL=C sort -u >"$work/needed.lst"
  [[ -s $work/needed.lst ]] || {
    cat "$work/icupkg.err" >&2
    exit 1
  }
  grep -vxF -f "$work/needed.lst" "$work/remove.lst" >"$work/remove.tmp" || true
  mv "$work/remove.tmp" "$work/remove.lst"
done
[[ -s $work/slim/$package.dat ]] || {
  echo "icupkg -r failed: $(cat "$work/icupkg.err")" >&2
  exit 1
}
icupkg -a "$work/indexes.lst" -s "$work/out" "$work/slim/$package.dat"
echo "ICU data: $(wc -l <"$work/items.lst") items, $(wc -l <"$work/remove.lst") removed (kept: root ${LANGUAGES[*]})" \
  "$(stat -c %s "$work/$package.dat") -> $(stat -c %s "$work/slim/$package.dat") bytes"

# 5. A library with the same soname that exports the same symbol, now holding the slim package.
cat >"$work/icudata.s" <<EOF
    .section .rodata
    .balign 16
    .globl $symbol
    .type $symbol, @object
$symbol:
    .incbin "$work/slim/$package.dat"
    .size $symbol, . - $symbol
    .section .note.GNU-stack,"",@progbits
EOF
as -o "$work/icudata.o" "$work/icudata.s"
ld -shared -soname "$soname" -z noexecstack -o "$work/$(basename "$real")" "$work/icudata.o"
install -m 644 "$work/$(basename "$real")" "$real"

# Node must still start, format English and decode every WHATWG encoding.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const encodings = process.argv.slice(1);
  for (const encoding of encodings) new TextDecoder(encoding).decode(new Uint8Array([0x41]));
  new Intl.DateTimeFormat("en-US", { dateStyle: "full" }).format(0);
  console.log(`slim ICU data: Intl ${Intl.DateTimeFormat.supportedLocalesOf(["en", "de"])}; ${encodings.length} encodings decode`);
' "${WHATWG_ENCODINGS[@]}"
