#!/usr/bin/env bash
# Builds the Fabric binaries (peer, orderer, osnadmin, configtxgen, cryptogen)
# with `go install` from the Go module proxy at a pinned release commit, into a
# cache under $HOME keyed by that commit, and reuses the cache on later runs.
# Fabric's module path has no /v2 or /v3 suffix, so release tags do not
# resolve: the pin is the release commit (a pseudo-version).
#
#   scripts/install-fabric.sh            # prints the bin directory on success
#
# Exit status 0: the binaries are in "$FABRIC_BIN" (printed on stdout).
# Exit status 3: the module proxy refuses the Fabric module (see the message).
set -euo pipefail

FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"
FABRIC_COMMIT="${FABRIC_COMMIT:-86c1172bec37}"   # v3.1.5 release commit
CACHE_ROOT="${SCF_FABRIC_CACHE:-$HOME/.cache/scf-ledger/fabric}"
FABRIC_BIN="$CACHE_ROOT/$FABRIC_COMMIT/bin"
TOOLS=(peer orderer osnadmin configtxgen cryptogen)

have_all() {
  for t in "${TOOLS[@]}"; do [ -x "$FABRIC_BIN/$t" ] || return 1; done
}

if have_all; then
  echo "$FABRIC_BIN"
  exit 0
fi

command -v go >/dev/null || { echo "install-fabric: Go is not installed" >&2; exit 1; }
mkdir -p "$FABRIC_BIN"
log="$CACHE_ROOT/$FABRIC_COMMIT/install.log"
pkgs=()
for t in "${TOOLS[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$t@$FABRIC_COMMIT"); done

echo "install-fabric: building Fabric $FABRIC_VERSION ($FABRIC_COMMIT) with $(go version | cut -d' ' -f3)" >&2
if ! GOBIN="$FABRIC_BIN" CGO_ENABLED=0 go install \
    -ldflags "-X github.com/hyperledger/fabric/common/metadata.Version=$FABRIC_VERSION" \
    "${pkgs[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  if grep -q '403 Forbidden' "$log"; then
    echo "install-fabric: the Go module proxy refuses github.com/hyperledger/fabric (403); the binaries cannot be built here" >&2
    exit 3
  fi
  exit 1
fi
have_all || { echo "install-fabric: go install finished but binaries are missing in $FABRIC_BIN" >&2; exit 1; }
echo "$FABRIC_BIN"
