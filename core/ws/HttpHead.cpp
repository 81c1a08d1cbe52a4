#include "core/ws/HttpHead.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>

namespace tavern::ws {

namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The parser's callbacks may hand a field or value over in pieces: each piece is appended.
struct Collector {
    HttpHead head;
    bool inValue = false;
    bool done = false;
};

int OnUrl(http_parser* parser, const char* at, std::size_t length) {
    static_cast<Collector*>(parser->data)->head.target.append(at, length);
    return 0;
}

int OnField(http_parser* parser, const char* at, std::size_t length) {
    auto* c = static_cast<Collector*>(parser->data);
    if (c->inValue || c->head.headers.empty()) c->head.headers.emplace_back();
    c->inValue = false;
    c->head.headers.back().first.append(at, length);
    return 0;
}

int OnValue(http_parser* parser, const char* at, std::size_t length) {
    auto* c = static_cast<Collector*>(parser->data);
    if (c->head.headers.empty()) return 1;
    c->inValue = true;
    c->head.headers.back().second.append(at, length);
    return 0;
}

int OnHeadersComplete(http_parser* parser) {
    static_cast<Collector*>(parser->data)->done = true;
    return 0;
}

std::optional<HttpHead> Parse(std::string_view text, http_parser_type type) {
    Collector collector;
    http_parser parser;
    http_parser_init(&parser, type);
    parser.data = &collector;
    http_parser_settings settings;
    http_parser_settings_init(&settings);
    settings.on_url = OnUrl;
    settings.on_header_field = OnField;
    settings.on_header_value = OnValue;
    settings.on_headers_complete = OnHeadersComplete;
    http_parser_execute(&parser, &settings, text.data(), text.size());
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK || !collector.done) return std::nullopt;
    if (type == HTTP_REQUEST)
        collector.head.method = http_method_str(static_cast<http_method>(parser.method));
    else
        collector.head.status = static_cast<int>(parser.status_code);
    for (auto& [name, value] : collector.head.headers) {
        name = Lower(name);
        value = std::string(Trim(value));
    }
    return std::move(collector.head);
}

}  // namespace

std::optional<HttpHead> HttpHead::ParseRequest(std::string_view head) {
    return Parse(head, HTTP_REQUEST);
}

std::optional<HttpHead> HttpHead::ParseResponse(std::string_view head) {
    return Parse(head, HTTP_RESPONSE);
}

std::string HttpHead::Header(std::string_view name) const {
    std::string out;
    for (const auto& [key, value] : headers) {
        if (key != name) continue;
        if (!out.empty()) out += ", ";
        out += value;
    }
    return out;
}

bool HttpHead::HasToken(std::string_view name, std::string_view token) const {
    const std::string list = Lower(Header(name));
    const std::string wanted = Lower(token);
    std::string_view rest = list;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        if (Trim(rest.substr(0, comma)) == wanted) return true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return false;
}

std::string_view HttpHead::Path() const {
    std::string_view path = target;
    return path.substr(0, path.find_first_of("?#"));
}

}  // namespace tavern::ws
