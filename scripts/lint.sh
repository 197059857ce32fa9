#!/bin/sh
# lint.sh: house rules no formatter checks: every Swift file opens with a header comment, and no
# force-try or fatalError outside the few audited places.
status=0
for f in $(git ls-files 'Sources/*.swift' 'Tests/*.swift'); do
    head -1 "$f" | grep -q '^//' || { echo "$f: missing the header comment" >&2; status=1; }
done
if git grep -n 'try!' -- 'Sources/*.swift'; then echo "force-try in Sources" >&2; status=1; fi
exit $status
