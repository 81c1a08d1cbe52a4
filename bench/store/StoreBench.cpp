// Store benchmark: saving player states in one batch (one transaction per save interval, as
// the store does) against the peer design, one transaction per player, in paired rounds; and
// the store's part of a returning login (Accounts::Login at min cost), on SQLite and on a
// throwaway PostgreSQL 15 started like the tests' (tests/store/PostgresServer), but with fsync
// on; both databases in /tmp (on this machine, the root ext4 file system).
//
//   store_bench [--players N] [--batch-players M] [--logins L] [--rounds R] [--out FILE]
//
// Each round runs both sides of the save comparison back to back on N players (which goes
// first alternates), takes the ratio within the round, and reports the median over the rounds
// with the smallest and largest. Prints a report and writes the figures as a JSON object to
// FILE (default store-bench-results.json in the working folder); bench/store/run-store-bench.sh
// adds the date, the load and the command around it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "store/Accounts.h"
#include "store/OpenStore.h"
#include "tests/store/PostgresServer.h"
#include "tests/store/TestDatabase.h"

namespace {

using namespace tavern::store;
using tavern::store::test::Backend;
using Clock = std::chrono::steady_clock;

struct Settings {
    int players = 1000;
    int batchPlayers = 10000;
    int logins = 2000;
    int rounds = 5;
    std::string out = "store-bench-results.json";
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

template <typename F>
double Time(F&& f) {
    const auto start = Clock::now();
    f();
    return Seconds(Clock::now() - start);
}

struct Spread {
    double median, low, high;
};

Spread Summarize(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return {values[values.size() / 2], values.front(), values.back()};
}

std::string Json(const Spread& s) {
    char text[160];
    std::snprintf(text, sizeof text, "{\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}", s.median,
                  s.low, s.high);
    return text;
}

std::vector<PlayerId> MakeAccounts(Store& store, const std::string& prefix, int count,
                                   const std::string& hash) {
    std::vector<PlayerId> ids;
    for (int i = 0; i < count; ++i)
        ids.push_back(store.CreateAccount(prefix + std::to_string(i), hash).account.playerId);
    return ids;
}

std::vector<PlayerState> Moves(const std::vector<PlayerId>& ids, int round) {
    std::vector<PlayerState> states;
    for (std::size_t i = 0; i < ids.size(); ++i)
        states.push_back({ids[i], 1, static_cast<float>(round), static_cast<float>(i)});
    return states;
}

// Runs one backend; prints its report lines to `out` and returns its figures as a JSON object.
std::string RunBackend(const std::string& label, Backend backend, const Settings& s,
                       std::ostream& out) {
    tavern::store::test::TestDatabase db(backend);
    StoreRef store = OpenStore(db.Url());
    PasswordHasher hasher(PasswordCost::Min);
    const std::string hash = hasher.Hash("password");
    const std::vector<PlayerId> ids = MakeAccounts(*store, "p", s.players, hash);
    const std::vector<PlayerId> many = MakeAccounts(*store, "m", s.batchPlayers, hash);

    std::vector<double> batched, perPlayer, ratios, big;
    for (int round = 0; round < s.rounds; ++round) {
        // Each side writes new positions: SQLite skips writing a row whose bytes do not change,
        // and every player in a real save has moved.
        const std::vector<PlayerState> first = Moves(ids, 2 * round + 1);
        const std::vector<PlayerState> second = Moves(ids, 2 * round + 2);
        const auto& batchStates = round % 2 == 0 ? first : second;
        const auto& singleStates = round % 2 == 0 ? second : first;
        double b = 0, p = 0;
        auto runBatched = [&] { b = Time([&] { store->SavePlayerStates(batchStates); }); };
        auto runPerPlayer = [&] {
            p = Time([&] {
                for (const PlayerState& state : singleStates) store->SavePlayerStates({&state, 1});
            });
        };
        if (round % 2 == 0) {
            runBatched();
            runPerPlayer();
        } else {
            runPerPlayer();
            runBatched();
        }
        batched.push_back(s.players / b);
        perPlayer.push_back(s.players / p);
        ratios.push_back(p / b);
        const std::vector<PlayerState> manyStates = Moves(many, round + 1);
        big.push_back(Time([&] { store->SavePlayerStates(manyStates); }) * 1000);
    }
    // Returning logins: lookup, Argon2id verify at min cost, saved state. One thread.
    Accounts accounts(*store, hasher);
    std::vector<double> logins;
    for (int round = 0; round < s.rounds; ++round) {
        const double t = Time([&] {
            for (int i = 0; i < s.logins; ++i) {
                LoginRequest request{"p" + std::to_string(i % s.players), "password", "bench"};
                if (!accounts.Login(request).Succeeded()) throw std::runtime_error("login failed");
            }
        });
        logins.push_back(s.logins / t);
    }
    const Spread rb = Summarize(batched), rp = Summarize(perPlayer), rr = Summarize(ratios),
                 rbig = Summarize(big), rl = Summarize(logins);
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s: save %d players: one transaction %.0f states/s (%.0f-%.0f), one per "
                  "player %.0f states/s (%.0f-%.0f), ratio %.1fx (%.1fx-%.1fx)\n",
                  label.c_str(), s.players, rb.median, rb.low, rb.high, rp.median, rp.low,
                  rp.high, rr.median, rr.low, rr.high);
    out << line;
    std::snprintf(line, sizeof line,
                  "%s: save %d players in one batch: %.1f ms (%.1f-%.1f), %.0f states/s\n",
                  label.c_str(), s.batchPlayers, rbig.median, rbig.low, rbig.high,
                  s.batchPlayers / rbig.median * 1000);
    out << line;
    std::snprintf(line, sizeof line,
                  "%s: returning logins (Accounts::Login, min cost, one thread): %.0f/s "
                  "(%.0f-%.0f)\n",
                  label.c_str(), rl.median, rl.low, rl.high);
    out << line;
    return "{\"one_transaction_states_per_s\": " + Json(rb) +
           ",\n      \"one_per_player_states_per_s\": " + Json(rp) +
           ",\n      \"ratio\": " + Json(rr) + ",\n      \"batch_ms\": " + Json(rbig) +
           ",\n      \"returning_logins_per_s\": " + Json(rl) + "}";
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--players") s.players = std::stoi(value);
        else if (flag == "--batch-players") s.batchPlayers = std::stoi(value);
        else if (flag == "--logins") s.logins = std::stoi(value);
        else if (flag == "--rounds") s.rounds = std::stoi(value);
        else if (flag == "--out") s.out = value;
        else {
            std::cerr << "unknown flag " << flag << "\n";
            return 2;
        }
    }
    spdlog::set_level(spdlog::level::warn);
    tavern::store::test::PostgresServer::UseFsync();  // commits as durable as SQLite's
    std::ostringstream json;
    json << "{\"players\": " << s.players << ", \"batch_players\": " << s.batchPlayers
         << ", \"logins\": " << s.logins << ", \"rounds\": " << s.rounds
         << ", \"password_cost\": \"min\",\n    \"backends\": {";
    try {
        std::cout << "store_bench: " << s.rounds << " rounds (median (min-max) over rounds)\n";
        json << "\n    \"sqlite\": " << RunBackend("sqlite", Backend::Sqlite, s, std::cout);
        if (tavern::store::test::PostgresServer::Shared() == nullptr) {
            std::cout << "postgresql: skipped: " << tavern::store::test::PostgresServer::Why()
                      << "\n";
            json << ",\n    \"postgresql\": null";
        } else {
            json << ",\n    \"postgresql\": "
                 << RunBackend("postgresql", Backend::Postgres, s, std::cout);
        }
    } catch (const std::exception& e) {
        std::cerr << "store_bench: " << e.what() << "\n";
        return 1;
    }
    json << "}}\n";
    std::ofstream(s.out) << json.str();
    std::cout << "written to " << s.out << "\n";
    return 0;
}
