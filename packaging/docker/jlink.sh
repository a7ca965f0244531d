#!/bin/sh
# Builds a Java runtime with only the modules mesos-lb.jar needs: jlink.sh JAR OUTPUT_DIR.
# Run by the Dockerfile's build stage and, the same way, by JlinkRuntimeIT, which starts the jar on the result
# to a first routed request.
set -eu
jar=$1
out=$2
# What the classes reference (java.base, java.management, jdk.unsupported for Netty, ...), read from the jar.
modules=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$jar")
# What no class names but is looked up at run time: the EC key-agreement and signature provider that TLS
# (ECDHE, ECDSA certificates) needs on Java 17 (jdk.crypto.ec; merged into java.base from Java 22).
modules="$modules,jdk.crypto.ec"
echo "jlink modules: $modules"
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out"
