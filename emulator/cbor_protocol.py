"""CloudWatch over Smithy RPC v2 CBOR, the protocol the AWS SDK for Rust speaks to it.

botocore's CloudWatch model lists ``smithy-rpc-v2-cbor`` first, then ``json`` and ``query``;
aws-sdk-cloudwatch sends only CBOR (``POST /service/GraniteServiceVersion20100801/operation/OP``,
``smithy-protocol: rpc-v2-cbor``, ``Content-Type: application/cbor``). moto 5.2.5 answers the
other two only: the Rust SDK's PutMetricData (the function's metrics), GetMetricStatistics
(status's SkippedRuns) and DescribeAlarms got HTTP 404.

``CborToJson`` wraps the server's WSGI app: such a request is decoded (botocore's CBOR parser),
handed to moto as the same operation in AWS JSON 1.0 (``X-Amz-Target: SERVICE.OP``), and moto's
answer is encoded back: an output with the operation's output shape (botocore's CBOR
serializer: timestamps as tag 1, epoch seconds), an error as the map ``{"__type", "message"}``
with moto's status (and its x-amzn-query-error header), as the protocol specifies. Nothing else
is changed.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
from typing import Any, Callable, Iterable

import botocore.session
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

PATH = re.compile(r"^/service/(?P<service>[A-Za-z0-9_]+)/operation/(?P<operation>[A-Za-z0-9_]+)$")
#: The services whose Rust SDK speaks CBOR and whose moto models speak JSON: their model.
MODELS = {"GraniteServiceVersion20100801": "cloudwatch"}
_models: dict[str, Any] = {}


def _model(name: str) -> Any:
    if name not in _models:
        _models[name] = botocore.session.get_session().get_service_model(name)
    return _models[name]


def decode(body: bytes) -> Any:
    if not body:
        return {}
    parser = RpcV2CBORParser()
    return parser.parse_data_item(parser.get_peekable_stream_from_bytes(body))


def _jsonable(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value)} in a CBOR request")


def encode(value: Any, shape: Any) -> bytes:
    out = bytearray()
    if shape is not None:
        RpcV2CBORSerializer()._serialize_data_item(out, value, shape)
    return bytes(out)


def encode_error(code: str, message: str) -> bytes:
    """``{"__type": code, "message": message}`` as a CBOR map of two text strings."""
    out = bytearray([0xA2])
    for text in ("__type", code, "message", message):
        data = text.encode()
        if len(data) < 24:
            out.append(0x60 | len(data))
        elif len(data) < 256:
            out += bytes([0x78, len(data)])
        else:
            out += bytes([0x79]) + len(data).to_bytes(2, "big")
        out += data
    return bytes(out)


class CborToJson:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = PATH.match(environ.get("PATH_INFO") or "")
        if not match or match["service"] not in MODELS or environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
            return self.app(environ, start_response)
        operation = _model(MODELS[match["service"]]).operation_model(match["operation"])
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.dumps(decode(environ["wsgi.input"].read(length)), default=_jsonable).encode()
        environ.update(
            {
                "PATH_INFO": "/",
                "CONTENT_TYPE": "application/x-amz-json-1.0",
                "CONTENT_LENGTH": str(len(body)),
                "HTTP_X_AMZ_TARGET": f"{match['service']}.{match['operation']}",
                "wsgi.input": io.BytesIO(body),
            }
        )
        answer: dict[str, Any] = {}

        def capture(status: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], None]:
            answer["status"] = status
            answer["headers"] = list(headers)
            return lambda data: None

        raw = b"".join(self.app(environ, capture))
        status = answer.get("status", "500 Internal Server Error")
        parsed = json.loads(raw or b"{}")
        if status.startswith("2"):
            payload = encode(parsed, operation.output_shape)
        else:
            code = str(parsed.get("__type") or parsed.get("code") or "InternalFailure").rsplit("#", 1)[-1]
            payload = encode_error(code, str(parsed.get("message") or parsed.get("Message") or ""))
        # The query-compatible error code (awsQueryCompatible), when moto gives one.
        kept = [(k, v) for k, v in answer.get("headers", []) if k.lower() in ("x-amzn-query-error", "x-amzn-requestid")]
        start_response(
            status,
            [
                ("smithy-protocol", "rpc-v2-cbor"),
                ("Content-Type", "application/cbor"),
                ("Content-Length", str(len(payload))),
                *kept,
            ],
        )
        return [payload]
