#!/bin/sh
# Makes sure the Debian packages that the build, the tests and the demo need
# are installed. As root it installs the missing ones with apt-get; as
# another user it names them and fails. Used by `make check` and `make demo`;
# .ci/run installs the same list (tests/tools/packages.txt).
here=$(dirname "$0")
pkgs=$(grep -v '^#' "$here/packages.txt" | tr '\n' ' ')
missing=""
for p in $pkgs; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
  case "$st" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends $missing
  exit $?
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root, or: sudo apt-get install$missing" >&2
exit 1
