#include "core/IocpObject.h"

#include "core/SocketUtils.h"

namespace tavern {

void IocpObject::FinishOperation() {
    if (!OperationFinished()) return;
    if (Closing() && !SocketClosed()) {
        socket::Close(Socket());
        ForgetSocket();
        IoClosed();
    }
    ReleaseIfIdle();
}

}  // namespace tavern
