/**
 * The resource spans are reported under: the SDK's defaults (`telemetry.sdk.*`,
 * `service.name` = unknown_service:node), the process, then the environment's word
 * (`OTEL_RESOURCE_ATTRIBUTES`, and `OTEL_SERVICE_NAME` above all, as the spec orders).
 */
import { hostname } from "node:os";
import { basename } from "node:path";
import { defaultResource, resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import type { AttributeValue } from "@opentelemetry/api";
import { parseKeyValuePairs } from "./env.js";

type Env = Readonly<Record<string, string | undefined>>;

export function buildResource(env: Env, serviceName?: string): Resource {
  const processAttributes: Record<string, AttributeValue> = {
    "process.pid": process.pid,
    "process.runtime.name": "nodejs",
    "process.runtime.version": process.versions.node,
    "process.executable.name": basename(process.execPath),
    "host.name": hostname(),
  };
  const fromEnv = parseKeyValuePairs(env.OTEL_RESOURCE_ATTRIBUTES);
  const name = env.OTEL_SERVICE_NAME?.trim() || fromEnv["service.name"] || serviceName;
  return defaultResource()
    .merge(resourceFromAttributes(processAttributes))
    .merge(resourceFromAttributes(fromEnv))
    .merge(name ? resourceFromAttributes({ "service.name": String(name) }) : null);
}
