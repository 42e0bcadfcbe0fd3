package io.parley.notify.sender;

/** A send that did not go through; its message becomes the delivery's {@code lastError}. No stack trace needed. */
public class SendFailure extends RuntimeException {

    public SendFailure(String message) {
        super(message, null, false, false);
    }

    /** A short description of any failure, for {@code lastError} and logs. */
    public static String describe(Throwable e) {
        if (e instanceof SendFailure) {
            return e.getMessage();
        }
        String message = e.getMessage();
        String text = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
