#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tavern::client {

// What a bot run saw, for people and for scripts: one sample a second (the progress line's
// numbers) and the summary's fields. test_client --json FILE writes the summary (and the
// samples) as JSON; --report FILE.html one self-contained page with the run's plots (inline
// SVG, no script) and its summary.
class BotReport {
public:
    struct Sample {
        double seconds = 0;  // since the run started
        double connected = 0;
        double inGame = 0;
        double packetsInPerSecond = 0;
        double packetsOutPerSecond = 0;
        double pingP50Ms = 0;
        double pingP99Ms = 0;
    };

    // The run's thread only.
    void Add(const Sample& sample) { _samples.push_back(sample); }
    // A summary field, in the order added: a number, or text when `text` is set.
    void Set(std::string name, double value) { _fields.push_back({std::move(name), value, {}}); }
    void SetText(std::string name, std::string text) {
        _fields.push_back({std::move(name), 0, std::move(text)});
    }

    // False (and a message on stderr) if the file cannot be written.
    bool WriteJson(const std::string& path) const;
    bool WriteHtml(const std::string& path) const;

    // Any thread: the JSON document / the HTML page.
    std::string Json() const;
    std::string Html() const;

private:
    struct Field {
        std::string name;
        double value;
        std::string text;
    };
    std::vector<Sample> _samples;
    std::vector<Field> _fields;
};

}  // namespace tavern::client
