# Builds KerasNet once in Release and runs the `kerasnet` console app; arguments are forwarded
# (no arguments: the tutorial's training job on the dataset in data/).
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
dotnet build src/KerasNet.Console/KerasNet.Console.csproj -c Release -nologo -v quiet -clp:ErrorsOnly | Out-Null
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
dotnet src/KerasNet.Console/bin/Release/net10.0/KerasNet.Console.dll @args
exit $LASTEXITCODE
