#!/usr/bin/env bash
# Builds KerasNet once in Release and runs the `kerasnet` console app; arguments are forwarded
# (no arguments: the tutorial's training job on the dataset in data/).
set -euo pipefail
cd "$(dirname "$0")"
# The projects target net10.0: an older SDK fails with errors that do not say so, hence the check first.
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is needed and 'dotnet' is not on PATH." >&2
  exit 1
fi
sdk=$(dotnet --version 2>/dev/null || true)
major=${sdk%%.*}
if [[ ! "$major" =~ ^[0-9]+$ ]] || (( major < 10 )); then
  echo "run.sh: the .NET 10 SDK or newer is needed; 'dotnet --version' says '${sdk:-nothing}'." >&2
  exit 1
fi
# Quiet when the build succeeds; its errors (and only those) are shown when it fails.
if ! log=$(dotnet build src/KerasNet.Console/KerasNet.Console.csproj -c Release -nologo -v quiet -clp:ErrorsOnly 2>&1); then
  printf '%s\n' "$log" >&2
  echo "run.sh: the build failed (errors above)." >&2
  exit 1
fi
exec dotnet src/KerasNet.Console/bin/Release/net10.0/KerasNet.Console.dll "$@"
