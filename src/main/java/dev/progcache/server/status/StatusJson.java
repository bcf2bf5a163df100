package dev.progcache.server.status;

import dev.progcache.modproxy.ModProxy;
import java.io.StringWriter;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * {@link StatusFigures} as the JSON document of {@code /status.json}. Stateless and thread-safe.
 */
final class StatusJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private StatusJson() {}

  static String write(StatusFigures f) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), w)) {
      g.writeStartObject();
      g.writeStringProperty("version", f.version());
      g.writeStringProperty("principal", f.principal());
      g.writeStringProperty("started", f.started().toString());
      g.writeStringProperty("now", f.now().toString());
      g.writeNumberProperty("uptimeSeconds", f.uptimeSeconds());
      requests(g, f.requests());
      g.writeObjectPropertyStart("store");
      g.writeNumberProperty("bytes", f.store().bytes());
      g.writeNumberProperty("limitBytes", f.store().limitBytes());
      g.writeNumberProperty("entries", f.store().entries());
      g.writeNumberProperty("evictions", f.store().evictions());
      g.writeEndObject();
      StatusFigures.Rejected r = f.rejected();
      g.writeObjectPropertyStart("rejectedPuts");
      g.writeNumberProperty("integrity", r.integrity());
      g.writeNumberProperty("size", r.size());
      g.writeNumberProperty("noLength", r.noLength());
      g.writeNumberProperty("auth", r.auth());
      g.writeNumberProperty("backing", r.backing());
      g.writeNumberProperty("total", r.total());
      g.writeEndObject();
      namespaces(g, f.namespaces());
      g.writeArrayPropertyStart("largest");
      for (StatusFigures.Largest l : f.largest()) {
        g.writeStartObject();
        g.writeStringProperty("namespace", l.namespace());
        g.writeStringProperty("action", l.action());
        g.writeStringProperty("output", l.output());
        g.writeNumberProperty("bytes", l.bytes());
        g.writeEndObject();
      }
      g.writeEndArray();
      backing(g, f.backing());
      if (f.modules() != null) {
        ModProxy.Summary m = f.modules();
        g.writeObjectPropertyStart("modules");
        g.writeStringProperty("upstreams", m.upstreams());
        g.writeNumberProperty("bytes", m.bytes());
        g.writeNumberProperty("limitBytes", m.limitBytes());
        g.writeNumberProperty("files", m.files());
        g.writeNumberProperty("hits", m.hits());
        g.writeNumberProperty("misses", m.misses());
        g.writeNumberProperty("sharedHits", m.sharedHits());
        g.writeNumberProperty("upstreamErrors", m.upstreamErrors());
        g.writeNumberProperty("staleLists", m.staleLists());
        g.writeNumberProperty("bytesServed", m.bytesServed());
        g.writeEndObject();
      }
      g.writeObjectPropertyStart("history");
      history(g, "hour", f.hour());
      history(g, "day", f.day());
      g.writeEndObject();
      g.writeEndObject();
    }
    return w.toString();
  }

  private static void requests(JsonGenerator g, StatusFigures.Requests q) {
    g.writeObjectPropertyStart("requests");
    g.writeNumberProperty("actionHits", q.actionHits());
    g.writeNumberProperty("actionMisses", q.actionMisses());
    g.writeNumberProperty("batchHits", q.batchHits());
    g.writeNumberProperty("batchMisses", q.batchMisses());
    g.writeNumberProperty("hits", q.hits());
    g.writeNumberProperty("outputHits", q.outputHits());
    g.writeNumberProperty("outputMisses", q.outputMisses());
    ratio(g, "hitRatio", q.hitRatio());
    g.writeNumberProperty("uploads", q.uploads());
    g.writeNumberProperty("uploadedBytes", q.uploadedBytes());
    g.writeNumberProperty("servedBytes", q.servedBytes());
    g.writeEndObject();
  }

  private static void namespaces(JsonGenerator g, List<StatusFigures.Namespace> all) {
    g.writeArrayPropertyStart("namespaces");
    for (StatusFigures.Namespace n : all) {
      g.writeStartObject();
      g.writeStringProperty("name", n.name());
      g.writeNumberProperty("entries", n.entries());
      g.writeNumberProperty("bytes", n.bytes());
      g.writeNumberProperty("limitBytes", n.limitBytes());
      g.writeNumberProperty("hits", n.hits());
      g.writeNumberProperty("misses", n.misses());
      ratio(g, "hitRatio", n.hitRatio());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void backing(JsonGenerator g, StatusFigures.@Nullable BackingState b) {
    if (b == null) {
      g.writeNullProperty("backing");
      return;
    }
    g.writeObjectPropertyStart("backing");
    g.writeStringProperty("location", b.location());
    g.writeNumberProperty("hits", b.hits());
    g.writeNumberProperty("misses", b.misses());
    g.writeNumberProperty("errors", b.errors());
    g.writeNumberProperty("corrupt", b.corrupt());
    g.writeNumberProperty("uploads", b.uploads());
    g.writeNumberProperty("uploadErrors", b.uploadErrors());
    g.writeEndObject();
  }

  private static void history(JsonGenerator g, String name, List<StatusHistory.Bucket> buckets) {
    g.writeObjectPropertyStart(name);
    g.writeNumberProperty(
        "bucketSeconds", buckets.isEmpty() ? 0 : buckets.get(0).widthMillis() / 1000);
    g.writeArrayPropertyStart("buckets");
    for (StatusHistory.Bucket b : buckets) {
      g.writeStartObject();
      g.writeStringProperty("start", java.time.Instant.ofEpochMilli(b.start()).toString());
      g.writeNumberProperty("actionHits", b.get(StatusHistory.Field.ACTION_HIT));
      g.writeNumberProperty("actionMisses", b.get(StatusHistory.Field.ACTION_MISS));
      g.writeNumberProperty("outputHits", b.get(StatusHistory.Field.OUTPUT_HIT));
      g.writeNumberProperty("outputMisses", b.get(StatusHistory.Field.OUTPUT_MISS));
      g.writeNumberProperty("uploads", b.get(StatusHistory.Field.PUT_OK));
      g.writeNumberProperty("rejected", b.get(StatusHistory.Field.REJECTED));
      g.writeNumberProperty("requests", b.requests());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void ratio(JsonGenerator g, String name, @Nullable Double r) {
    if (r == null) {
      g.writeNullProperty(name);
    } else {
      g.writeNumberProperty(name, r);
    }
  }
}
