#!/bin/bash
# Run once per `up` by kafka-init, as the broker's `admin`: creates every topic and its -dlq twin, one SCRAM
# user per service (password from <SERVICE>_KAFKA_PASSWORD) and the ACLs that bound it:
#   - WRITE the topics in <SERVICE>_WRITES, and the -dlq twin of each topic it reads (its consumer
#     dead-letters there);
#   - READ the topics in <SERVICE>_READS, in its own consumer group (named after the service);
# and nothing else (the broker has allow.everyone.if.no.acl.found=false). Re-running it is harmless and
# applies changed passwords. KAFKA_UI_PASSWORD, when set, adds a read-only `kafka-ui` user;
# KAFKA_EXPORTER_PASSWORD, when set, a `kafka-exporter` user that may only describe (offsets and group lag
# for Prometheus), not read a message.
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?}" "${SERVICES:?}" "${TOPICS:?}" "${PARTITIONS:?}"
bin=${KAFKA_BIN:-/opt/kafka/bin}
bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}
config=$(mktemp)
trap 'rm -f "$config"' EXIT
printf '%s\n' "security.protocol=SASL_PLAINTEXT" "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$KAFKA_ADMIN_PASSWORD\";" \
    > "$config"
admin=(--bootstrap-server "$bootstrap" --command-config "$config")

for topic in $TOPICS; do
    for name in "$topic" "$topic-dlq"; do
        "$bin/kafka-topics.sh" "${admin[@]}" --create --if-not-exists --topic "$name" \
            --partitions "$PARTITIONS" --replication-factor 1
    done
done

scram_user() {  # name password
    "$bin/kafka-configs.sh" "${admin[@]}" --alter --entity-type users --entity-name "$1" \
        --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]"
}

topic_flags() {  # topic... -> --topic t1 --topic t2 ...
    for topic in "$@"; do printf -- '--topic\n%s\n' "$topic"; done
}

for service in $SERVICES; do
    upper=${service^^}
    password_var="${upper}_KAFKA_PASSWORD" writes_var="${upper}_WRITES" reads_var="${upper}_READS"
    password=${!password_var:?$password_var is not set}
    read -ra writes <<< "${!writes_var-}"
    read -ra reads <<< "${!reads_var-}"
    scram_user "$service" "$password"
    principal="User:$service"
    written=("${writes[@]}")
    for topic in "${reads[@]}"; do written+=("$topic-dlq"); done
    if ((${#written[@]})); then
        mapfile -t flags < <(topic_flags "${written[@]}")
        "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal "$principal" \
            --operation Write --operation Describe "${flags[@]}"
    fi
    if ((${#reads[@]})); then
        mapfile -t flags < <(topic_flags "${reads[@]}")
        "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal "$principal" \
            --operation Read --operation Describe "${flags[@]}" --group "$service"
    fi
done

if [[ -n "${KAFKA_UI_PASSWORD-}" ]]; then
    scram_user kafka-ui "$KAFKA_UI_PASSWORD"
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-ui \
        --operation Describe --operation DescribeConfigs --cluster
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-ui \
        --operation Read --operation Describe --operation DescribeConfigs --topic '*'
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-ui --operation Describe --group '*'
fi

if [[ -n "${KAFKA_EXPORTER_PASSWORD-}" ]]; then
    scram_user kafka-exporter "$KAFKA_EXPORTER_PASSWORD"
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-exporter --operation Describe --cluster
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-exporter --operation Describe --topic '*'
    "$bin/kafka-acls.sh" "${admin[@]}" --add --allow-principal User:kafka-exporter --operation Describe --group '*'
fi

"$bin/kafka-acls.sh" "${admin[@]}" --list
