#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts Argus inside the Home Assistant add-on. `services: [mqtt:want]`: the Mosquitto add-on's
# broker is relayed to Argus when the Supervisor has one; Argus itself decides which broker wins
# (a URL in the options or /config/argus.yml first, src/config/addon-options.ts) and, with none,
# reports a config error. A config error is printed and Argus stays up (no restart loop).
set -euo pipefail

SUPERVISOR_URL="${SUPERVISOR_URL:-http://supervisor}"
ARGUS_BIN="${ARGUS_BIN:-node --max-semi-space-size=2 --heap-growing-percent=50 /app/dist/cli.js}"

log() { echo "[argus] $*" >&2; }

# One field of the Supervisor's MQTT service answer, with bashio when it is there (the base
# image), else with curl and node (anywhere else, such as CI or a plain Debian root).
mqtt_field() {
  local field="$1"
  if declare -F bashio::services >/dev/null 2>&1; then
    bashio::services mqtt "${field}"
  else
    printf '%s' "${MQTT_SERVICE_JSON}" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        let v;
        try { v = JSON.parse(s).data?.[process.argv[1]]; } catch { v = undefined; }
        process.stdout.write(v === undefined || v === null ? "" : String(v));
      });' "${field}"
  fi
}

if [ -n "${SUPERVISOR_TOKEN:-}" ]; then
  MQTT_SERVICE_JSON=""
  if ! declare -F bashio::services >/dev/null 2>&1; then
    MQTT_SERVICE_JSON="$(curl -fsS -H "Authorization: Bearer ${SUPERVISOR_TOKEN}" "${SUPERVISOR_URL}/services/mqtt" 2>/dev/null || true)"
  fi
  host=""
  if [ -n "${MQTT_SERVICE_JSON}" ] || declare -F bashio::services >/dev/null 2>&1; then
    host="$(mqtt_field host || true)"
  fi
  if [ -n "${host}" ]; then
    port="$(mqtt_field port)"
    scheme="mqtt"
    [ "$(mqtt_field ssl)" = "true" ] && scheme="mqtts"
    export ARGUS_SUPERVISOR_MQTT_URL="${scheme}://${host}:${port:-1883}"
    ARGUS_SUPERVISOR_MQTT_USER="$(mqtt_field username)"
    ARGUS_SUPERVISOR_MQTT_PASSWORD="$(mqtt_field password)"
    export ARGUS_SUPERVISOR_MQTT_USER ARGUS_SUPERVISOR_MQTT_PASSWORD
    log "the Mosquitto add-on offers ${ARGUS_SUPERVISOR_MQTT_URL} (used unless the options name a broker)"
  else
    log "no Mosquitto add-on: Argus uses the broker named in its MQTT options"
  fi
fi

export ARGUS_DATA_DIR="${ARGUS_DATA_DIR:-/data}"
OPTIONS="${ARGUS_OPTIONS:-/data/options.json}"
# shellcheck disable=SC2086 # ARGUS_BIN is a command line on purpose.
exec ${ARGUS_BIN} run --options "${OPTIONS}" --wait-on-config-error
