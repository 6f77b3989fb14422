#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts Argus inside the Home Assistant add-on: MQTT credentials come from the Supervisor's
# services API (`services: [mqtt:need]`), the rest from /data/options.json.
set -euo pipefail

SUPERVISOR_URL="${SUPERVISOR_URL:-http://supervisor}"
ARGUS_BIN="${ARGUS_BIN:-node /app/dist/cli.js}"

log() { echo "[argus] $*" >&2; }

# One field of the Supervisor's MQTT service answer, with bashio when it is there (the base
# image), else with curl and node (anywhere else, such as CI).
mqtt_field() {
  local field="$1"
  if declare -F bashio::services >/dev/null 2>&1; then
    bashio::services mqtt "${field}"
  else
    printf '%s' "${MQTT_SERVICE_JSON}" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const v = JSON.parse(s).data?.[process.argv[1]];
        process.stdout.write(v === undefined || v === null ? "" : String(v));
      });' "${field}"
  fi
}

if [ -n "${SUPERVISOR_TOKEN:-}" ]; then
  MQTT_SERVICE_JSON=""
  if ! declare -F bashio::services >/dev/null 2>&1; then
    MQTT_SERVICE_JSON="$(curl -fsS -H "Authorization: Bearer ${SUPERVISOR_TOKEN}" "${SUPERVISOR_URL}/services/mqtt" || true)"
  fi
  if [ -n "${MQTT_SERVICE_JSON}" ] || declare -F bashio::services >/dev/null 2>&1; then
    host="$(mqtt_field host)"
    port="$(mqtt_field port)"
    if [ -n "${host}" ]; then
      scheme="mqtt"
      [ "$(mqtt_field ssl)" = "true" ] && scheme="mqtts"
      export ARGUS_MQTT_URL="${scheme}://${host}:${port:-1883}"
      ARGUS_MQTT_USER="$(mqtt_field username)"
      ARGUS_MQTT_PASSWORD="$(mqtt_field password)"
      export ARGUS_MQTT_USER ARGUS_MQTT_PASSWORD
      log "MQTT broker from the Supervisor: ${ARGUS_MQTT_URL}"
    fi
  fi
  if [ -z "${ARGUS_MQTT_URL:-}" ]; then
    log "no MQTT broker from the Supervisor: install and start the Mosquitto broker add-on"
    exit 1
  fi
fi

export ARGUS_DATA_DIR="${ARGUS_DATA_DIR:-/data}"
OPTIONS="${ARGUS_OPTIONS:-/data/options.json}"
# shellcheck disable=SC2086 # ARGUS_BIN is a command line on purpose.
exec ${ARGUS_BIN} run --config "${OPTIONS}"
