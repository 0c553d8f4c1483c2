#!/bin/sh
# slow-operation.sh: takes a while, then prints its result.
# SLOW_OPERATION_SECONDS makes it slower (to see the timeout expire).
sleep "${SLOW_OPERATION_SECONDS:-1}"
echo "export SLOW_OPERATION_RESULT=ready"
