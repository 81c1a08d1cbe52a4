#include "client/BotReport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>

namespace tavern::client {

namespace {

std::string Number(double value) {
    if (!std::isfinite(value)) return "null";
    char text[32];
    std::snprintf(text, sizeof(text), "%.6g", value);
    return text;
}

std::string Escaped(const std::string& text, bool html) {
    std::string out;
    for (const char c : text) {
        if (html && c == '<') out += "&lt;";
        else if (html && c == '>') out += "&gt;";
        else if (html && c == '&') out += "&amp;";
        else if (!html && (c == '"' || c == '\\')) (out += '\\') += c;
        else if (!html && static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
    return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary);
    file << text;
    if (!file.good()) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return false;
    }
    return true;
}

struct Line {
    const char* label;
    const char* color;
    std::function<double(const BotReport::Sample&)> value;
};

// One line chart as inline SVG: x is the run's seconds, y starts at 0.
std::string Chart(const char* title, const std::vector<BotReport::Sample>& samples,
                  const std::vector<Line>& lines) {
    constexpr double kWidth = 560, kHeight = 220, kLeft = 60, kRight = 10, kTop = 28, kBottom = 30;
    double xMax = 1, yMax = 0;
    for (const auto& sample : samples) {
        xMax = std::max(xMax, sample.seconds);
        for (const auto& line : lines) yMax = std::max(yMax, line.value(sample));
    }
    if (yMax <= 0) yMax = 1;
    yMax *= 1.1;
    const auto x = [&](double seconds) { return kLeft + seconds / xMax * (kWidth - kLeft - kRight); };
    const auto y = [&](double value) {
        return kTop + (1 - value / yMax) * (kHeight - kTop - kBottom);
    };
    std::string svg = "<svg width=\"560\" height=\"220\" xmlns=\"http://www.w3.org/2000/svg\" "
                      "font-family=\"sans-serif\" font-size=\"11\">";
    svg += "<text x=\"280\" y=\"16\" text-anchor=\"middle\" font-size=\"14\">" + std::string(title) +
           "</text>";
    for (int i = 0; i <= 4; ++i) {  // grid and y labels
        const double value = yMax * i / 4;
        svg += "<line x1=\"" + Number(kLeft) + "\" x2=\"" + Number(kWidth - kRight) + "\" y1=\"" +
               Number(y(value)) + "\" y2=\"" + Number(y(value)) + "\" stroke=\"#ddd\"/>";
        svg += "<text x=\"" + Number(kLeft - 4) + "\" y=\"" + Number(y(value) + 4) +
               "\" text-anchor=\"end\">" + Number(std::round(value * 100) / 100) + "</text>";
    }
    svg += "<text x=\"" + Number(kWidth - kRight) + "\" y=\"" + Number(kHeight - 8) +
           "\" text-anchor=\"end\">" + Number(std::round(xMax)) + " s</text>";
    double legend = kLeft;
    for (const auto& line : lines) {
        std::string points;
        for (const auto& sample : samples)
            points += Number(x(sample.seconds)) + "," + Number(y(line.value(sample))) + " ";
        svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(line.color) +
               "\" points=\"" + points + "\"/>";
        svg += "<text x=\"" + Number(legend) + "\" y=\"" + Number(kHeight - 8) + "\" fill=\"" +
               line.color + "\">" + line.label + "</text>";
        legend += 110;
    }
    return svg + "</svg>\n";
}

}  // namespace

std::string BotReport::Json() const {
    std::string json = "{\n  \"summary\": {";
    for (std::size_t i = 0; i < _fields.size(); ++i) {
        const Field& field = _fields[i];
        json += (i == 0 ? "\n    \"" : ",\n    \"") + Escaped(field.name, false) + "\": ";
        json += field.text.empty() ? Number(field.value) : "\"" + Escaped(field.text, false) + "\"";
    }
    json += "\n  },\n  \"samples\": [";
    for (std::size_t i = 0; i < _samples.size(); ++i) {
        const Sample& s = _samples[i];
        json += (i == 0 ? "\n    " : ",\n    ");
        json += "{\"seconds\": " + Number(s.seconds) + ", \"connected\": " + Number(s.connected) +
                ", \"in_game\": " + Number(s.inGame) + ", \"packets_in_per_s\": " +
                Number(s.packetsInPerSecond) + ", \"packets_out_per_s\": " +
                Number(s.packetsOutPerSecond) + ", \"ping_p50_ms\": " + Number(s.pingP50Ms) +
                ", \"ping_p99_ms\": " + Number(s.pingP99Ms) + "}";
    }
    return json + "\n  ]\n}\n";
}

std::string BotReport::Html() const {
    std::string html =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Tavern bot run</title><style>body{font-family:sans-serif;margin:1.5em}"
        "table{border-collapse:collapse}td{padding:2px 10px;border-bottom:1px solid #eee}"
        ".charts{display:flex;flex-wrap:wrap;gap:1em}</style></head><body>\n"
        "<h1>Tavern bot run</h1>\n<div class=\"charts\">\n";
    html += Chart("bots", _samples,
                  {{"connected", "#2a7ab0", [](const Sample& s) { return s.connected; }},
                   {"in game", "#3a9c4d", [](const Sample& s) { return s.inGame; }}});
    html += Chart("packets per second", _samples,
                  {{"in", "#2a7ab0", [](const Sample& s) { return s.packetsInPerSecond; }},
                   {"out", "#d9822b", [](const Sample& s) { return s.packetsOutPerSecond; }}});
    html += Chart("ping (ms)", _samples,
                  {{"p50", "#2a7ab0", [](const Sample& s) { return s.pingP50Ms; }},
                   {"p99", "#b03a5b", [](const Sample& s) { return s.pingP99Ms; }}});
    html += "</div>\n<h2>Summary</h2>\n<table>\n";
    for (const Field& field : _fields)
        html += "<tr><td>" + Escaped(field.name, true) + "</td><td>" +
                (field.text.empty() ? Number(field.value) : Escaped(field.text, true)) +
                "</td></tr>\n";
    return html + "</table>\n</body></html>\n";
}

bool BotReport::WriteJson(const std::string& path) const {
    return WriteFile(path, Json());
}

bool BotReport::WriteHtml(const std::string& path) const {
    return WriteFile(path, Html());
}

}  // namespace tavern::client
