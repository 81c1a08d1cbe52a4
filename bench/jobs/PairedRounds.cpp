#include "PairedRounds.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>

namespace tavern::bench {
namespace {

// "PingPong/64" and "Tavern" -> "^PingPong/Tavern/64/"
std::string Spec(const std::string& label, const std::string& side) {
    const auto slash = label.find('/');
    if (slash == std::string::npos) return "^" + label + "/" + side + "/";
    return "^" + label.substr(0, slash) + "/" + side + label.substr(slash) + "/";
}

double Median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// What one case measured: its rate counter ("jobs/s") for each side and round.
struct CaseResult {
    std::string label;
    std::string unit;
    std::array<std::vector<std::optional<double>>, 2> rates;
};

// Shows every run as Google Benchmark's console does (its header once), and keeps each run's
// rate for the case, side and round the runner says comes next.
class RoundReporter : public benchmark::ConsoleReporter {
public:
    void Expect(CaseResult* result, int side, int round) {
        _result = result;
        _side = side;
        _round = round;
    }

    bool Failed() const { return _failed; }

    bool ReportContext(const Context& context) override {
        if (_contextShown) return true;
        _contextShown = true;
        Context wide = context;
        wide.name_field_width = std::max<std::size_t>(context.name_field_width, 50);
        return ConsoleReporter::ReportContext(wide);
    }

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.error_occurred) {
                _failed = true;
                continue;
            }
            // One run, or the median of repetitions if the user asked for repetitions.
            const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!single && !median) continue;
            for (const auto& [name, counter] : run.counters) {
                if (name.find("/s") == std::string::npos) continue;
                _result->unit = name;
                _result->rates[_side][_round] = counter.value;
            }
        }
    }

private:
    CaseResult* _result = nullptr;
    int _side = 0;
    int _round = 0;
    bool _contextShown = false;
    bool _failed = false;
};

void PrintSummary(const std::vector<CaseResult>& results, const std::array<std::string, 2>& sides,
                  int rounds) {
    std::printf(
        "\n%d paired rounds; rates are medians over the rounds, the ratio is taken in "
        "each round\n",
        rounds);
    std::printf("%-20s %12s %12s   %s\n", "case", sides[0].c_str(), sides[1].c_str(),
                (sides[0] + "/" + sides[1] + ": median [min-max]").c_str());
    for (const CaseResult& result : results) {
        std::array<std::vector<double>, 2> rates;
        std::vector<double> ratios;
        for (int round = 0; round < rounds; ++round) {
            const auto& a = result.rates[0][round];
            const auto& b = result.rates[1][round];
            if (a) rates[0].push_back(*a);
            if (b) rates[1].push_back(*b);
            if (a && b && *b > 0) ratios.push_back(*a / *b);
        }
        if (ratios.empty()) continue;
        const auto [low, high] = std::minmax_element(ratios.begin(), ratios.end());
        std::printf("%-20s %11.2fM %11.2fM   %5.2fx [%.2fx-%.2fx]  %s\n", result.label.c_str(),
                    Median(rates[0]) / 1e6, Median(rates[1]) / 1e6, Median(ratios), *low, *high,
                    result.unit.c_str());
    }
}

// Takes --rounds=N out of the arguments. Returns nullopt (after a message) if N is not a
// positive number.
std::optional<int> TakeRounds(std::vector<char*>& args) {
    constexpr std::string_view kFlag = "--rounds=";
    int rounds = 7;
    for (auto it = args.begin(); it != args.end();) {
        const std::string_view arg = *it;
        if (!arg.starts_with(kFlag)) {
            ++it;
            continue;
        }
        const std::string_view value = arg.substr(kFlag.size());
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), rounds);
        if (error != std::errc() || end != value.data() + value.size() || rounds < 1) {
            std::fprintf(stderr, "--rounds wants a positive number, not '%.*s'\n",
                         static_cast<int>(value.size()), value.data());
            return std::nullopt;
        }
        it = args.erase(it);
    }
    return rounds;
}

}  // namespace

int RunPairedRounds(int argc, char** argv, const std::vector<std::string>& cases,
                    const std::array<std::string, 2>& sides) {
    std::vector<char*> args(argv, argv + argc);
    const std::optional<int> rounds = TakeRounds(args);
    if (!rounds) return 2;
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;

    std::string filter = benchmark::GetBenchmarkFilter();
    if (filter.empty() || filter == "all") filter = ".";
    const std::regex picked(filter);
    std::vector<CaseResult> results;
    for (const std::string& label : cases) {
        if (!std::regex_search(label, picked)) continue;
        CaseResult result{label, "", {}};
        for (auto& side : result.rates) side.resize(static_cast<std::size_t>(*rounds));
        results.push_back(std::move(result));
    }
    if (results.empty()) {
        std::fprintf(stderr, "no case matches --benchmark_filter=%s\n", filter.c_str());
        return 2;
    }

    RoundReporter reporter;
    for (int round = 0; round < *rounds; ++round) {
        for (CaseResult& result : results) {
            for (int k = 0; k < 2; ++k) {
                const int side = (round + k) % 2;
                reporter.Expect(&result, side, round);
                if (benchmark::RunSpecifiedBenchmarks(&reporter, Spec(result.label, sides[side])) ==
                    0) {
                    std::fprintf(stderr, "no benchmark is registered as %s\n",
                                 Spec(result.label, sides[side]).c_str());
                    return 2;
                }
            }
        }
    }
    PrintSummary(results, sides, *rounds);
    benchmark::Shutdown();
    return reporter.Failed() ? 1 : 0;
}

}  // namespace tavern::bench
