// A CommonJS program: require() loads the packages' CommonJS builds, whose writer thread must
// still load the OpenTelemetry output.
const { installOtel } = require("@spanfn/otel");
const { begin, end, registerSpans } = require("@spanfn/tracing");

installOtel({ url: process.env.RECEIVER_URL, serviceName: "required-test" });
const first = registerSpans("app/required", "/app/required.js", [["outer", 1], ["inner", 2]]);
const outer = begin(first);
end(begin(first + 1));
end(outer);
