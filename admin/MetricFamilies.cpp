#include "admin/MetricFamilies.h"

#include <limits>

namespace tavern::admin {

namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
    prometheus::MetricFamily family;
    family.name = std::move(name);
    family.help = std::move(help);
    family.type = type;
    return family;
}

prometheus::ClientMetric WithLabels(const Labels& labels) {
    prometheus::ClientMetric metric;
    for (const auto& [name, value] : labels) metric.label.push_back({name, value});
    return metric;
}

}  // namespace

prometheus::MetricFamily CounterFamily(std::string name, std::string help) {
    return Family(std::move(name), std::move(help), prometheus::MetricType::Counter);
}

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
    return Family(std::move(name), std::move(help), prometheus::MetricType::Gauge);
}

prometheus::MetricFamily HistogramFamily(std::string name, std::string help) {
    return Family(std::move(name), std::move(help), prometheus::MetricType::Histogram);
}

void AddValue(prometheus::MetricFamily& family, double value, const Labels& labels) {
    prometheus::ClientMetric metric = WithLabels(labels);
    if (family.type == prometheus::MetricType::Counter)
        metric.counter.value = value;
    else
        metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
}

void AddHistogram(prometheus::MetricFamily& family, const Labels& labels,
                  const std::vector<std::pair<double, std::uint64_t>>& buckets,
                  std::uint64_t count, double sum) {
    prometheus::ClientMetric metric = WithLabels(labels);
    for (const auto& [bound, cumulative] : buckets)
        metric.histogram.bucket.push_back({cumulative, bound});
    metric.histogram.bucket.push_back({count, std::numeric_limits<double>::infinity()});
    metric.histogram.sample_count = count;
    metric.histogram.sample_sum = sum;
    family.metric.push_back(std::move(metric));
}

}  // namespace tavern::admin
