#!/usr/bin/env bash
# README.md's "Run it" walkthrough, runnable: bash docs/walkthrough.sh [hub URL, default http://localhost:8080]
# Shows every answer and stops with a message at the first one whose status differs from what the README says.
# The lines between the markers are the README's block verbatim: WalkthroughTest runs this script against a
# started hub and fails when README.md no longer holds them. Needs curl and jq.
set -euo pipefail
command -v jq >/dev/null || { echo "walkthrough.sh needs jq (apt-get install jq)" >&2; exit 1; }
trap 'echo "walkthrough.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# --- walkthrough ---
HUB=${1:-http://localhost:8080}
# expect_status N: shows the `curl -si` answer piped in, fails unless its status is N, and passes its body on
# to jq (stdout, when that is not where the answer was just shown)
expect_status() {
  local answer status; answer=$(tr -d '\r')
  status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$answer")
  printf '%s\n\n' "$answer" >&2
  [ "$status" = "$1" ] || { echo "expected $1, got ${status:-no answer}" >&2; return 1; }
  [ /dev/stdout -ef /dev/stderr ] || sed '1,/^$/d' <<<"$answer"
}

# create a customer: 201, Location, the command's id and its event's id, type, topic and status
ID=$(curl -si -X POST "$HUB/api/customers" -H 'content-type: application/json' \
     -d '{"full_name":"Ada Lovelace","email":"ada@example.com"}' | expect_status 201 | jq -r .aggregate_id)
curl -si "$HUB/api/customers/$ID" | expect_status 200                 # state, with ETag "1"
curl -si -X PUT "$HUB/api/customers/$ID" -H 'content-type: application/json' \
     -H 'If-Match: "1"' -d '{"email":"ada@analytical.engine"}' | expect_status 201   # version 2 (412 if not at 1)
curl -si "$HUB/api/customers/$ID/events" | expect_status 200          # the event stream, with publication status
T1=$(curl -sf "$HUB/api/customers/$ID/events?to_version=1" | jq -r '.events[0].event.time')   # version 1's time
curl -si "$HUB/api/customers/$ID?as_of=$T1" | expect_status 200       # the customer as it was then: version 1

# an order: the total is computed from the items
ORDER=$(curl -si -X POST "$HUB/api/orders" -H 'content-type: application/json' \
     -d "{\"customer_id\":\"$ID\",\"items\":[{\"product_id\":\"p-1\",\"quantity\":2,\"unit_price\":9.99}]}" \
     | expect_status 201 | jq -r .aggregate_id)
curl -si -X POST "$HUB/api/orders/$ORDER/cancel" -H 'content-type: application/json' \
     -d '{"reason":"changed my mind"}' | expect_status 201

# a read model the events feed (projection customer-order-totals): orders placed, cancelled, total placed
until curl -sf "$HUB/api/customers/$ID/order-totals" | jq -e '.orders_cancelled == 1'; do sleep 0.2; done
curl -si "$HUB/api/projections" | expect_status 200                   # each projection: status, position, lag

# replay the customer's stored events to a Kafka topic (same event ids, marked "replay": true), then follow it
REPLAY=$(curl -si -X POST "$HUB/api/replays" -H 'content-type: application/json' \
     -d "{\"target\":{\"kafka_topic\":\"customers-replayed\"},\"since\":\"$T1\",\"aggregate_id\":\"$ID\"}" \
     | expect_status 202 | jq -r .id)
until curl -sf "$HUB/api/replays/$REPLAY" | jq -e '.status == "completed"'; do sleep 0.2; done

# bad input gets RFC 9457 problem+json naming each failing field
curl -si -X POST "$HUB/api/customers" -H 'content-type: application/json' -d '{"full_name":42}' | expect_status 400

# a retried request with the same Idempotency-Key gets the first answer (Idempotent-Replayed: true), no second event
for attempt in first retry; do
  COMMAND_ID=$(curl -si -X POST "$HUB/api/customers" -H 'content-type: application/json' \
       -H 'Idempotency-Key: grace-2024-0001' -d '{"full_name":"Grace Hopper","email":"grace@example.com"}' \
       | expect_status 201 | jq -r .command_id)
done

curl -si "$HUB/api/commands/$COMMAND_ID" | expect_status 200         # any command's outcome: was its event published?
curl -si "$HUB/observe/health" | expect_status 200                    # UP when PostgreSQL and Kafka answer
curl -sf "$HUB/observe/metrics" | grep '^herald_commands_total'       # Prometheus: commands by outcome, and more
curl -si "$HUB/api/dead-letters?status=open" | expect_status 200      # events a stage gave up on; retry or discard them
# --- end ---
