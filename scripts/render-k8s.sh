#!/usr/bin/env bash
# Renders the Helm chart k8s/helm/parley with its default values into k8s/rendered/parley.yaml, which
# `kubectl apply -k k8s/` applies. No helm binary: helm-java (the helm library in a jar) renders it, as the
# chart tests do; RenderedManifestsTest fails while the committed file differs from a fresh render.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q ${MAVEN_OFFLINE:--o} -pl k8s/chart-tests compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java
