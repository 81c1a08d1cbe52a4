#include "core/ws/OriginPolicy.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace tavern::ws {

namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// "host:80" for http and "host:443" for https say the same as "host".
std::string WithoutDefaultPort(std::string authority, std::string_view scheme) {
    const std::string_view port = scheme == "http" ? ":80" : scheme == "https" ? ":443" : "";
    if (!port.empty() && authority.size() > port.size() && authority.ends_with(port))
        authority.resize(authority.size() - port.size());
    return authority;
}

bool SchemeChar(char c, bool first) {
    if (c >= 'a' && c <= 'z') return true;
    return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

// Host and port as an Origin or a Host header carries them: no path, no user, no spaces.
bool AuthorityChar(char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '@' && c != ',' &&
           c != '\\';
}

}  // namespace

std::optional<std::string> OriginPolicy::Normalize(std::string_view origin) {
    std::string text = Lower(origin);
    if (text == "null") return text;
    if (text.ends_with('/')) text.pop_back();
    const std::size_t colon = text.find("://");
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    const std::string scheme = text.substr(0, colon);
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (!SchemeChar(scheme[i], i == 0)) return std::nullopt;
    std::string authority = text.substr(colon + 3);
    if (authority.empty() || authority.front() == ':' ||
        !std::all_of(authority.begin(), authority.end(), AuthorityChar))
        return std::nullopt;
    return scheme + "://" + WithoutDefaultPort(std::move(authority), scheme);
}

OriginPolicy::OriginPolicy(const std::vector<std::string>& allowed) {
    for (const std::string& given : allowed) {
        // "a, b" on a command line: the spaces are not part of the origins.
        const std::size_t first = given.find_first_not_of(' ');
        const std::string entry =
            first == std::string::npos
                ? ""
                : given.substr(first, given.find_last_not_of(' ') + 1 - first);
        if (entry == "*") {
            _any = true;
            continue;
        }
        auto origin = Normalize(entry);
        if (!origin)
            throw std::invalid_argument("--ws-origin: '" + given +
                                        "' is not an origin (scheme://host[:port]), null or *");
        _allowed.push_back(std::move(*origin));
    }
}

bool OriginPolicy::Allows(std::string_view origin, std::string_view host) const {
    if (origin.empty() || _any) return true;
    const auto normal = Normalize(origin);
    if (!normal) return false;
    if (std::find(_allowed.begin(), _allowed.end(), *normal) != _allowed.end()) return true;
    if (*normal == "null" || host.empty()) return false;
    // The same host: the page's own address in the Host header the browser sent.
    const std::size_t colon = normal->find("://");
    const std::string scheme = normal->substr(0, colon);
    if (scheme != "http" && scheme != "https") return false;
    const std::string hostText = Lower(host);
    if (!std::all_of(hostText.begin(), hostText.end(), AuthorityChar)) return false;
    return normal->substr(colon + 3) == WithoutDefaultPort(hostText, scheme);
}

std::string OriginPolicy::Describe() const {
    if (_any) return "any origin";
    std::string text = "the page's own host";
    for (const std::string& origin : _allowed) text += ", " + origin;
    return text;
}

}  // namespace tavern::ws
