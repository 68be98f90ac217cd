#!/usr/bin/env bash
# CI safety net, run as root by .ci/run only when no JDK 25+ is installed (the CI image is meant to
# carry Temurin 25 under /usr/lib/jvm; this covers a machine where it is missing).
#
# Debian stable has no OpenJDK 25, and unstable's is built against a newer glibc than stable's. So
# this unpacks unstable's openjdk-25 together with unstable's glibc, libstdc++ and zlib into a
# private directory (nothing is installed system-wide), and points the JDK's executables at that
# glibc with patchelf. The result is a self-contained JDK at $1 (default /opt/jioth-jdk25), linked
# as /usr/lib/jvm/java-25-jioth so .mvn/jdk25.sh finds it.
set -euo pipefail

dest=${1:-/opt/jioth-jdk25}
work=$(mktemp -d /tmp/jioth-jdk25.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo ".ci/jdk25-fallback.sh: no JDK 25 found; unpacking Debian unstable's openjdk-25 into $dest" >&2
apt-get install -y -qq --no-install-recommends patchelf >/dev/null

# A private apt configuration for unstable: the system's sources and state are not touched.
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/debs" "$work/root"
echo "deb http://deb.debian.org/debian sid main" > "$work/sources.list"
apt_private=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
  -o Dir::State::lists="$work/lists" -o Dir::Cache::archives="$work/archives"
  -o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" update -qq
(cd "$work/debs" && apt-get "${apt_private[@]}" download \
  openjdk-25-jre-headless openjdk-25-jdk-headless libc6 libgcc-s1 libstdc++6 zlib1g >/dev/null)
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done

jdk="$work/root/usr/lib/jvm/java-25-openjdk-amd64"
# Debian links the JDK's configuration to /etc/java-25-openjdk and its trust store to the system's:
# replace those links by the files they name so the JDK stands alone.
find "$jdk" -type l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /etc/java-25-openjdk/*) rm "$link"; cp -L "$work/root$target" "$link" ;;
    /etc/ssl/certs/java/cacerts)
      rm "$link"
      if [ -e "$target" ]; then cp -L "$target" "$link"; fi ;;
  esac
done

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -a "$jdk" "$dest"
mkdir -p "$dest/glibc"
cp -a "$work/root/usr/lib/x86_64-linux-gnu/." "$dest/glibc/"
loader="$dest/glibc/ld-linux-x86-64.so.2"
for exe in "$dest"/bin/* "$dest/lib/jexec" "$dest/lib/jspawnhelper"; do
  if [ -f "$exe" ] && head -c 4 "$exe" | grep -q ELF; then
    patchelf --set-interpreter "$loader" --set-rpath "$dest/glibc:\$ORIGIN/../lib" "$exe"
  fi
done
find "$dest/lib" -name '*.so' | while read -r lib; do
  patchelf --set-rpath "$dest/glibc:$(dirname "$lib")" "$lib"
done
ln -sfn "$dest" /usr/lib/jvm/java-25-jioth
"$dest/bin/java" -version
