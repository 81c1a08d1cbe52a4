#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace tavern::admin {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Small builders for the families a scrape returns (prometheus-cpp's plain data types): a
// collector makes its families fresh on every scrape from the numbers it reads.
prometheus::MetricFamily CounterFamily(std::string name, std::string help);
prometheus::MetricFamily GaugeFamily(std::string name, std::string help);
prometheus::MetricFamily HistogramFamily(std::string name, std::string help);

// Any thread. Appends one sample to `family` (of its own type).
void AddValue(prometheus::MetricFamily& family, double value, const Labels& labels = {});
// `buckets`: (upper bound, cumulative count) pairs without +Inf; `count` is the +Inf bucket.
void AddHistogram(prometheus::MetricFamily& family, const Labels& labels,
                  const std::vector<std::pair<double, std::uint64_t>>& buckets,
                  std::uint64_t count, double sum);

}  // namespace tavern::admin
