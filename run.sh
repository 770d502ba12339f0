#!/usr/bin/env bash
# Builds KerasNet once in Release and runs the `kerasnet` console app; arguments are forwarded
# (no arguments: the tutorial's training job on the dataset in data/).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/KerasNet.Console/KerasNet.Console.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
exec dotnet src/KerasNet.Console/bin/Release/net10.0/KerasNet.Console.dll "$@"
