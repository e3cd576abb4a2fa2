#!/usr/bin/env bash
# Rebuilds the LibreOffice-made fixtures (made by another producer than EPPlus, on purpose).
# Needs LibreOffice Calc: apt-get install -y libreoffice-calc-nogui
# filled-template.xlsx comes from EPPlus: ENVSCORE_WRITE_FIXTURES=1 dotnet test --filter FixtureSources
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
export HOME=${HOME:-/tmp}
# CSV filter: comma, double quote, UTF-8, from line 1; column formats (col/fmt, 1=standard, 2=text) so that
# some numbers stay text as a secretary's copy-paste leaves them; language en-US; quoted fields not forced to text.
quirks_cols="1/1/2/1/3/2/4/2/5/2/6/1/7/2/8/2/9/2/10/1/11/2/12/2"
soffice --headless --infilter="CSV:44,34,76,1,${quirks_cols},1033,false,false" --convert-to xlsx --outdir "$out" sources/csv-quirks.csv
soffice --headless --infilter="CSV:44,34,76,1,,1033,false,false" --convert-to xlsx --outdir "$out" sources/csv-titles-only.csv
# A template filled by EPPlus, opened and saved again by LibreOffice: the realistic "saved in WPS/LibreOffice" case.
soffice --headless --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$out" sources/filled-template.xlsx
cp "$out/csv-quirks.xlsx" lo-csv-quirks.xlsx
cp "$out/csv-titles-only.xlsx" lo-csv-titles-only.xlsx
cp "$out/filled-template.xlsx" lo-roundtrip-template.xlsx
rm -rf "$out"
ls -l lo-*.xlsx
