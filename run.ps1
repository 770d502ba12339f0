# Builds KerasNet once in Release and runs the `kerasnet` console app; arguments are forwarded
# (no arguments: the tutorial's training job on the dataset in data/).
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
# The projects target net10.0: an older SDK fails with errors that do not say so, hence the check first.
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "run.ps1: the .NET 10 SDK is needed and 'dotnet' is not on PATH."
    exit 1
}
$sdk = (& dotnet --version 2>$null) | Select-Object -First 1
$major = 0
if (-not ($sdk -match '^(\d+)\.' -and [int]::TryParse($Matches[1], [ref]$major)) -or $major -lt 10) {
    Write-Error "run.ps1: the .NET 10 SDK or newer is needed; 'dotnet --version' says '$sdk'."
    exit 1
}
# Quiet when the build succeeds; its errors (and only those) are shown when it fails.
$log = & dotnet build src/KerasNet.Console/KerasNet.Console.csproj -c Release -nologo -v quiet -clp:ErrorsOnly 2>&1
if ($LASTEXITCODE -ne 0) {
    $log | Write-Host
    Write-Error "run.ps1: the build failed (errors above)."
    exit 1
}
dotnet src/KerasNet.Console/bin/Release/net10.0/KerasNet.Console.dll @args
exit $LASTEXITCODE
