#!/usr/bin/env bash
# Makes a development BTCPay Server (the submodule, run as a Debug build) load this plugin: builds the plugin in Debug
# and points DEBUG_PLUGINS at its dll in submodules/btcpayserver/BTCPayServer/appsettings.dev.json.
# BTCPay reads DEBUG_PLUGINS only in Debug builds. The file is rewritten: it holds nothing else by default.
set -euo pipefail
cd "$(dirname "$0")"

project=Plugins/BTCPayServer.Plugins.Escrow/BTCPayServer.Plugins.Escrow.csproj
server=submodules/btcpayserver/BTCPayServer

if [ ! -f "$server/BTCPayServer.csproj" ]; then
  echo "The BTCPay Server submodule is not checked out: run 'git submodule update --init' first." >&2
  exit 1
fi

dll="$(dotnet build "$project" -c Debug -getProperty:TargetPath)"
if [ ! -f "$dll" ]; then
  echo "The build did not produce the plugin ($dll)." >&2
  exit 1
fi

# The plain path form: the file name (BTCPayServer.Plugins.Escrow.dll) is the plugin's identifier.
printf '{\n  "DEBUG_PLUGINS": "%s"\n}\n' "$dll" > "$server/appsettings.dev.json"
echo "BTCPay Server (Debug) will load $dll"
