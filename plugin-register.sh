#!/usr/bin/env bash
# Makes a development BTCPay Server (the submodule, run as a Debug build) load this plugin: builds the plugin in Debug,
# then points DEBUG_PLUGINS at the dll that build produced, in submodules/btcpayserver/BTCPayServer/appsettings.dev.json.
# BTCPay reads DEBUG_PLUGINS only in Debug builds. The file is rewritten: it holds nothing else by default.
set -euo pipefail
cd "$(dirname "$0")"

project=Plugins/BTCPayServer.Plugins.Escrow/BTCPayServer.Plugins.Escrow.csproj
server=submodules/btcpayserver/BTCPayServer

if [ ! -f "$server/BTCPayServer.csproj" ]; then
  cat >&2 <<'MSG'
The BTCPay Server submodule (submodules/btcpayserver) is empty: the plugin compiles against BTCPay's source.
Check it out first, then run this script again:

    git submodule update --init

That checks out BTCPay Server v2.4.1 (see README.md, "Build it"). Building it restores BTCPay's own NuGet
packages (BTCPayServer.Lightning.*, NBXplorer.Client, LNURL, ...), so nuget.org must be reachable.
MSG
  exit 1
fi

# Build first: registering without building would point BTCPay at a missing or stale dll.
dotnet build "$project" -c Debug
dll="$(dotnet msbuild "$project" -p:Configuration=Debug -getProperty:TargetPath)"
if [ ! -f "$dll" ]; then
  echo "The build did not produce the plugin ($dll)." >&2
  exit 1
fi

# The plain path form: the file name (BTCPayServer.Plugins.Escrow.dll) is the plugin's identifier.
printf '{\n  "DEBUG_PLUGINS": "%s"\n}\n' "$dll" > "$server/appsettings.dev.json"
echo "BTCPay Server (Debug) will load $dll"
