#!/usr/bin/env bash
# The chaos suite (needs root): the broker runs in one network namespace, SDK clients and a CoAP device in another,
# joined by a veth pair on which nftables drops LOSS% (default 70) of the packets in each direction. The client side
# (org.openrtm.reliability.chaos.ChaosRun) sends 1,000 peer messages, 200 channel messages and 100 CoAP messages and
# checks that each arrives exactly once, in per-sender order; it logs how long each phase took. Namespaces, the veth
# pair and the processes are removed on exit. See docs/reliability.md.
#
#   sudo chaos/run.sh              # LOSS=70
#   sudo LOSS=30 chaos/run.sh
#   sudo RTO_MAX_MS=0 chaos/run.sh  # the kernel's default TCP backoff (up to 120 s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOSS=${LOSS:-70}
# TCP's retransmission timeout doubles with every loss, up to 120 s by default; at 70% loss both ways that stalls
# connections for minutes. Lossy IoT links cap it; 0 keeps the kernel's default (see docs/reliability.md)
RTO_MAX_MS=${RTO_MAX_MS:-1000}
SRV=rtm-chaos-srv
CLI=rtm-chaos-cli
SRV_IP=10.77.0.1
CLI_IP=10.77.0.2

if [ "$(id -u)" != "0" ]; then
    echo "chaos/run.sh needs root (network namespaces, nftables)" >&2
    exit 2
fi
if ! command -v nft >/dev/null 2>&1; then
    echo "installing nftables"
    apt-get update -qq && apt-get install -y -qq nftables >/dev/null
fi

echo "building (reactor, tests skipped) and computing the test classpath"
mvn -B -q -DskipTests -pl reliability -am package dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$ROOT/reliability/target/chaos.cp"
JAVA="$(command -v java)"

WORK=$(mktemp -d /tmp/rtm-chaos.XXXXXX)
# a snapshot of the classes and jars of this checkout, so that a rebuild during the run cannot change them
mkdir -p "$WORK/lib"
CP=""
n=0
for entry in "$ROOT/reliability/target/test-classes" $(tr ':' ' ' < "$ROOT/reliability/target/chaos.cp"); do
    if [[ "$entry" == "$ROOT"/* ]]; then
        n=$((n + 1))
        copy="$WORK/lib/$n-$(basename "$entry")"
        cp -r "$entry" "$copy"
        entry=$copy
    fi
    CP="${CP:+$CP:}$entry"
done
LOG="$ROOT/reliability/target/chaos-$(date +%Y%m%d-%H%M%S).log"
export RTM_SECRET="chaos-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

remove_namespaces() {
    for ns in $SRV $CLI; do
        if ip netns list | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
            ip netns del "$ns" || true
        fi
    done
}
cleanup() {
    remove_namespaces
    rm -rf "$WORK"
}
remove_namespaces
trap cleanup EXIT INT TERM

ip netns add $SRV
ip netns add $CLI
ip link add rtm-veth-s type veth peer name rtm-veth-c
ip link set rtm-veth-s netns $SRV
ip link set rtm-veth-c netns $CLI
ip -n $SRV addr add $SRV_IP/24 dev rtm-veth-s
ip -n $CLI addr add $CLI_IP/24 dev rtm-veth-c
for ns in $SRV $CLI; do
    ip -n $ns link set lo up
    if [ "$RTO_MAX_MS" != "0" ]; then
        ip netns exec $ns sysctl -qw net.ipv4.tcp_rto_max_ms="$RTO_MAX_MS"
    fi
done
ip -n $SRV link set rtm-veth-s up
ip -n $CLI link set rtm-veth-c up
# LOSS% of what leaves each side over the veth pair is dropped: both directions lose LOSS%
for ns in $SRV $CLI; do
    ip netns exec $ns nft -f - <<NFT
table inet rtm_chaos {
    chain out {
        type filter hook output priority 0; policy accept;
        oifname "rtm-veth-*" numgen random mod 100 < $LOSS counter drop
    }
}
NFT
done
echo "namespaces $SRV ($SRV_IP) and $CLI ($CLI_IP), $LOSS% loss each way, TCP RTO max" \
    "$(ip netns exec $CLI sysctl -n net.ipv4.tcp_rto_max_ms) ms"

cat > "$WORK/rtm.properties" <<PROPS
# a device on a bad link may stay silent for long: keep its membership and cache
presence.grace = 10m
PROPS
# the CoAP device is in the other namespace (not loopback): plain CoAP must be allowed for it (--coap-nosec any)
ip netns exec $SRV "$JAVA" -Xmx512m -cp "$CP" org.openrtm.broker.Main --host $SRV_IP --mqtt-port 1883 \
    --ws-port off --http-port off --coap-port 5683 --coaps-port off --coap-nosec any --data "$WORK/data" \
    --config "$WORK/rtm.properties" > "$WORK/broker.log" 2>&1 &
for _ in $(seq 1 120); do
    grep -q "MQTT listener on" "$WORK/broker.log" && break
    sleep 1
done
grep -q "MQTT listener on" "$WORK/broker.log" || { cat "$WORK/broker.log"; echo "broker did not start" >&2; exit 1; }
echo "broker up in $SRV; client log: $LOG"

set +e
ip netns exec $CLI "$JAVA" -Xmx512m -cp "$CP" org.openrtm.reliability.chaos.ChaosRun $SRV_IP 1883 5683 2>&1 | tee "$LOG"
STATUS=${PIPESTATUS[0]}
set -e
echo "packets dropped (server side, client side):"
ip netns exec $SRV nft list table inet rtm_chaos | grep counter || true
ip netns exec $CLI nft list table inet rtm_chaos | grep counter || true
cp "$WORK/broker.log" "$ROOT/reliability/target/chaos-broker.log"
exit "$STATUS"
