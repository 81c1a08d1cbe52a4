# cmake -DPAGE=index.html -DOUT=DashboardPage.cpp -P EmbedPage.cmake: the bundled page as the
# body of tavern::admin::DashboardPage(), in a raw string literal.
file(READ "${PAGE}" content)
string(FIND "${content}" ")tavern_page\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${PAGE} contains the raw string's delimiter")
endif()
file(WRITE "${OUT}" "// Generated from admin/dashboard by EmbedPage.cmake. Do not edit.
#include \"admin/DashboardPage.h\"

namespace tavern::admin {

std::string_view DashboardPage() {
    static constexpr std::string_view kPage = R\"tavern_page(${content})tavern_page\";
    return kPage;
}

}  // namespace tavern::admin
")
