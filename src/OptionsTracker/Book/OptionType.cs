namespace OptionsTracker.Book;

public enum OptionType : byte
{
    Call,
    Put,
}
