#!/bin/bash
# Starts the compose stack's broker: formats its storage on the first start with the `admin` SCRAM user
# (the broker's own identity and the one init.sh works as), then runs it with server.properties.
# Needs CLUSTER_ID and KAFKA_ADMIN_PASSWORD (hex: SCRAM option values cannot hold `,` `]` `=`).
set -euo pipefail
: "${CLUSTER_ID:?}" "${KAFKA_ADMIN_PASSWORD:?}"
bin=${KAFKA_BIN:-/opt/kafka/bin}
config=${KAFKA_CONFIG:-/etc/kafka/aivi/server.properties}
admin_jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$KAFKA_ADMIN_PASSWORD\";"

# The client settings init.sh and the healthcheck use, readable by this container only.
umask 077
printf '%s\n' "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" "sasl.jaas.config=$admin_jaas" \
    > "${KAFKA_ADMIN_CONFIG:-/tmp/admin.properties}"

"$bin/kafka-storage.sh" format --config "$config" --cluster-id "$CLUSTER_ID" --ignore-formatted \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"
exec "$bin/kafka-server-start.sh" "$config" \
    --override "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$admin_jaas" "$@"
