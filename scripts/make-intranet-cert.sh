#!/usr/bin/env bash
# Makes a county intranet CA (once) and a server certificate for this host, with OpenSSL from Debian.
# Browsers allow camera and microphone only on HTTPS (or localhost), so kiosk PCs must trust this CA.
# Usage: scripts/make-intranet-cert.sh <host-name-or-IP> [more names/IPs...]   (output in ./certs)
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <host-name-or-IP> [more ...]" >&2; exit 2; }
out="${CERT_DIR:-certs}"
mkdir -p "$out"
umask 077
if [ ! -f "$out/county-ca.key" ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -keyout "$out/county-ca.key" -out "$out/county-ca.crt" \
    -subj "/CN=视频接访 County Intranet CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  echo "Created CA: $out/county-ca.crt (install on every kiosk PC and console PC as a trusted root)"
fi
san=""
for n in "$@"; do
  if [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
done
san="${san%,}"
openssl req -newkey rsa:2048 -nodes -keyout "$out/server.key" -out "$out/server.csr" -subj "/CN=$1"
openssl x509 -req -in "$out/server.csr" -CA "$out/county-ca.crt" -CAkey "$out/county-ca.key" -CAcreateserial -days 825 -sha256 \
  -extfile <(printf "subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n" "$san") -out "$out/server.crt"
rm -f "$out/server.csr"
chmod 600 "$out"/*.key
echo "Server certificate: $out/server.crt (SAN $san). Start with TLS_CERT_FILE=$out/server.crt TLS_KEY_FILE=$out/server.key"
