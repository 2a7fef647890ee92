"""Cold start of each Lambda binary: process start to first response, DB connection included.

Runs each release binary against a minimal Lambda Runtime API (the real protocol the
`lambda_runtime` crate speaks: GET .../invocation/next, POST .../response), hands it one
event, and measures from spawn to the response. Also prints each binary's size.
Usage: python3 local/bench/cold_start.py [target/release] (needs MONGODB_URI, AMQP_URL).
"""
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

TARGET = sys.argv[1] if len(sys.argv) > 1 else "target/release"
RUNS = int(os.environ.get("COLD_START_RUNS", "5"))


def apigw(method, path):
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
        "headers": {"accept": "application/json"},
        "requestContext": {"accountId": "000000000000", "apiId": "local", "domainName": "localhost",
                           "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                    "sourceIp": "127.0.0.1", "userAgent": "cold-start"},
                           "requestId": str(uuid.uuid4()), "routeKey": f"{method} {path}", "stage": "$default",
                           "time": "29/Nov/2026:12:00:00 +0000", "timeEpoch": 0},
        "isBase64Encoded": False,
    }


FUNCTIONS = {
    "auth": apigw("GET", "/api/v1/me"),
    "events": apigw("GET", "/api/v1/events"),
    "admin-events": apigw("GET", "/api/v1/admin/events"),
    "orders": apigw("GET", "/api/v1/orders"),
    "dashboard": apigw("GET", "/api/v1/admin/dashboard"),
    "processing": {"eventSource": "aws:rmq", "rmqMessagesByQueue": {}},
    "maintenance": {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                     "source": "aws.events", "time": "2026-11-29T12:00:00Z", "detail": {}},
}


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    event = b"{}"
    answered = None
    handed_out = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("/invocation/next"):
            if RuntimeApi.handed_out:  # the second poll: hold it until we are killed
                time.sleep(30)
                return
            RuntimeApi.handed_out = True
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", str(uuid.uuid4()))
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30_000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:local:000000000000:function:x")
            self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(RuntimeApi.event)))
            self.end_headers()
            self.wfile.write(RuntimeApi.event)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        RuntimeApi.answered = (time.monotonic(), self.path, body[:200])
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def cold_start(name, event):
    RuntimeApi.event = json.dumps(event).encode()
    RuntimeApi.answered = None
    RuntimeApi.handed_out = False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_STREAM_NAME": "cold-start",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}", "RUST_LOG": "warn",
    })
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(TARGET, name)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while RuntimeApi.answered is None and time.monotonic() - start < 30:
        time.sleep(0.001)
    proc.kill()
    proc.wait()
    server.shutdown()
    if RuntimeApi.answered is None:
        return None, "no response"
    at, path, _ = RuntimeApi.answered
    return (at - start) * 1000, "response" if path.endswith("/response") else "error"


def main():
    os.environ.setdefault("JWT_SECRET", "cold-start-secret-cold-start-secret-0123")
    os.environ.setdefault("MONGODB_DATABASE", f"coldstart_{int(time.time())}")
    os.environ.setdefault("ORDERS_QUEUE", os.environ["MONGODB_DATABASE"] + ".orders")
    print("| function | binary size | cold start p50 (ms) | min–max (ms) | outcome |")
    print("|---|---:|---:|---|---|")
    for name, event in FUNCTIONS.items():
        size = os.path.getsize(os.path.join(TARGET, name)) / (1024 * 1024)
        runs = [cold_start(name, event) for _ in range(RUNS)]
        times = [t for t, _ in runs if t is not None]
        outcome = runs[-1][1]
        if times:
            print(f"| `{name}` | {size:.1f} MiB | {statistics.median(times):.0f} | {min(times):.0f}–{max(times):.0f} | {outcome} |")
        else:
            print(f"| `{name}` | {size:.1f} MiB | — | — | {outcome} |")


if __name__ == "__main__":
    main()
