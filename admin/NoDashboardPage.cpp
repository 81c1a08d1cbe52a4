// GET / in a build without the dashboard (TAVERN_DASHBOARD off, or no npm): links only.
#include "admin/DashboardPage.h"

namespace tavern::admin {

std::string_view DashboardPage() {
    return "<!doctype html><title>Tavern</title><h1>Tavern</h1>"
           "<p>This build has no dashboard (TAVERN_DASHBOARD was off).</p>"
           "<ul><li><a href=\"/metrics\">/metrics</a><li><a href=\"/healthz\">/healthz</a>"
           "<li><a href=\"/readyz\">/readyz</a></ul>\n";
}

}  // namespace tavern::admin
