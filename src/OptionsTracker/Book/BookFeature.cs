namespace OptionsTracker.Book;

public static class BookFeature
{
    public static void AddBook(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OptionBook>();
        builder.Services.AddSingleton<IOptionStore, InMemoryOptionStore>();
    }
}
