#!/usr/bin/env bash
# Links in messages: every "README.md#anchor" or "docs/NAME.md#anchor" that the extension's
# sources and scripts (src/sql/*.sql, src/*.c, scripts/*: error hints, comments) point users to must name a file of the
# repository and a heading in it (GitHub's anchor: lower case, punctuation dropped, blanks to
# hyphens). Prints one ok / not ok line per link; exit status 1 when one is broken.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
failed=0
# The anchors of a markdown file's headings, one per line.
anchors() {
    perl -ne 'next unless /^#+\s+(.*?)\s*$/; my $a = lc $1; $a =~ s/[^\w\- ]//g; $a =~ s/ /-/g; print "$a\n"' "$1"
}
links=$(grep -ohE '(README|docs/[A-Za-z0-9_-]+)\.md#[A-Za-z0-9_-]+' src/sql/*.sql src/*.c scripts/* | sort -u)
for link in $links; do
    file=${link%%#*} anchor=${link#*#}
    if [ -f "$file" ] && anchors "$file" | grep -qxF "$anchor"; then
        echo "ok - $link"
    else
        echo "not ok - $link: no such heading"; failed=1
    fi
done
[ -n "$links" ] || echo "ok - no links to check"
exit "$failed"
