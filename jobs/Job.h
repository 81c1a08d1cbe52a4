#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace tavern {

// A move-only, type-erased void() callable: the unit of work of an actor.
//
// Callables up to kInlineSize bytes (alignment up to max_align_t) whose move constructor is
// noexcept live inside the Job itself, so posting a lambda that captures a few pointers allocates
// nothing. Bigger ones are moved to the heap behind a std::unique_ptr.
//
//   +---------------------------------------------+--------+
//   | _storage: the callable, or unique_ptr to it | _ops   |   sizeof(Job) == 64: one cache line
//   +---------------------------------------------+--------+
//
// A Job is not thread-safe; it is handed from thread to thread through the queues.
class Job final {
public:
    static constexpr std::size_t kInlineSize = 48;
    static constexpr std::size_t kInlineAlign = alignof(std::max_align_t);

    // (clang-format 14 mangles C++20 constraints, hence the markers.)
    // clang-format off
    // True when a callable of type F (decayed) is stored without a heap allocation.
    template <class F>
    static constexpr bool kStoredInline = sizeof(F) <= kInlineSize &&
                                          alignof(F) <= kInlineAlign &&
                                          std::is_nothrow_move_constructible_v<F>;

    Job() noexcept = default;

    template <class F>
        requires(!std::same_as<std::remove_cvref_t<F>, Job> &&
                 std::move_constructible<std::decay_t<F>> &&
                 std::invocable<std::decay_t<F>&>)
    Job(F&& f) {  // NOLINT(google-explicit-constructor): a lambda converts to a Job implicitly
        using Fn = std::decay_t<F>;
        if constexpr (kStoredInline<Fn>) {
            Emplace<Fn>(std::forward<F>(f));
        } else {
            Emplace<HeapBox<Fn>>(HeapBox<Fn>{std::make_unique<Fn>(std::forward<F>(f))});
        }
    }
    // clang-format on

    Job(Job&& other) noexcept { MoveFrom(other); }

    Job& operator=(Job&& other) noexcept {
        if (this != &other) {
            Reset();
            MoveFrom(other);
        }
        return *this;
    }

    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    ~Job() { Reset(); }

    explicit operator bool() const noexcept { return _ops != nullptr; }

    // Runs the callable; calling an empty Job is a bug.
    void operator()() {
        assert(_ops != nullptr && "calling an empty Job");
        _ops->invoke(_storage);
    }

    // Destroys the callable (and what it captured) now; the Job becomes empty.
    void Reset() noexcept {
        if (_ops != nullptr) {
            _ops->destroy(_storage);
            _ops = nullptr;
        }
    }

private:
    // Keeps a big callable on the heap; the box itself is small and nothrow-movable.
    template <class Fn>
    struct HeapBox {
        std::unique_ptr<Fn> fn;
        void operator()() { std::invoke(*fn); }
    };

    struct Ops {
        void (*invoke)(void* self);
        void (*relocate)(void* dst, void* src) noexcept;  // move-construct into dst, destroy src
        void (*destroy)(void* self) noexcept;
    };

    template <class S>
    static S* As(void* p) noexcept {
        return std::launder(static_cast<S*>(p));
    }

    template <class S>
    static constexpr Ops kOps{
        [](void* self) { static_cast<void>(std::invoke(*As<S>(self))); },
        [](void* dst, void* src) noexcept {
            std::construct_at(static_cast<S*>(dst), std::move(*As<S>(src)));
            std::destroy_at(As<S>(src));
        },
        [](void* self) noexcept { std::destroy_at(As<S>(self)); },
    };

    template <class S, class... A>
    void Emplace(A&&... args) {
        static_assert(kStoredInline<S>);
        std::construct_at(static_cast<S*>(static_cast<void*>(_storage)), std::forward<A>(args)...);
        _ops = &kOps<S>;
    }

    void MoveFrom(Job& other) noexcept {
        if (other._ops != nullptr) {
            other._ops->relocate(_storage, other._storage);
            _ops = std::exchange(other._ops, nullptr);
        }
    }

    alignas(kInlineAlign) unsigned char _storage[kInlineSize];
    const Ops* _ops = nullptr;
};

}  // namespace tavern
