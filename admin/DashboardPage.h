#pragma once

#include <string_view>

namespace tavern::admin {

// Safe from any thread: the page GET / answers. Built from admin/dashboard (uPlot bundled by
// esbuild into one HTML file) when TAVERN_DASHBOARD is on, else a page of links.
std::string_view DashboardPage();

}  // namespace tavern::admin
