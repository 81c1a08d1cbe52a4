// Reads the Prometheus text format into { "name{labels}": value } and sums by family name.
export function parseMetrics(text) {
  const samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

// The sum of every sample of `name` (all label sets), or 0.
export function sum(samples, name) {
  let total = 0;
  for (const [key, value] of samples) {
    if (key === name || key.startsWith(name + "{")) total += value;
  }
  return total;
}

// The `q` quantile (0..1) of the histogram `name` over the interval between two scrapes, summed
// over every label set, in the histogram's unit; null when nothing was observed.
export function quantileBetween(before, after, name, q) {
  const buckets = new Map();  // le -> count observed in between
  for (const [key, value] of after) {
    if (!key.startsWith(name + "_bucket{")) continue;
    const le = /le="([^"]+)"/.exec(key)[1];
    const delta = value - (before.get(key) ?? 0);
    buckets.set(le, (buckets.get(le) ?? 0) + delta);
  }
  const bounds = [...buckets.keys()].sort((a, b) => Number(a) - Number(b));
  const total = buckets.get("+Inf") ?? 0;
  if (total <= 0) return null;
  for (const le of bounds) {
    if (buckets.get(le) >= q * total) return le === "+Inf" ? null : Number(le);
  }
  return null;
}
